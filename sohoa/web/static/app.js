// Small helpers: highlight a field's box while its input has focus, uploads (folders, drag and drop, the
// relative path of every file), auto-refresh.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("tr[data-field] input").forEach((input) => {
    const key = input.closest("tr").dataset.field;
    const boxes = () => document.querySelectorAll(`rect[data-field="${CSS.escape(key)}"]`);
    input.addEventListener("focus", () => boxes().forEach((b) => { b.classList.add("hl"); b.scrollIntoView({block: "center", behavior: "smooth"}); }));
    input.addEventListener("blur", () => boxes().forEach((b) => b.classList.remove("hl")));
  });
  const form = document.getElementById("upload-form");
  if (form) setUpUpload(form);
  const refresh = document.querySelector("[data-refresh]");
  if (refresh) setTimeout(() => location.reload(), 1000 * Number(refresh.dataset.refresh));
});

function setUpUpload(form) {
  const drop = document.getElementById("drop");
  const inputs = [document.getElementById("files"), document.getElementById("folder")];
  let dropped = null; // paths inside the dropped folders, in the order of the first input's files
  // One hidden "paths" field per file, in the order the form sends the files: the server keeps the folders.
  const describe = () => {
    const paths = document.getElementById("paths");
    const chosen = document.getElementById("chosen");
    paths.replaceChildren();
    chosen.replaceChildren();
    for (const input of inputs) {
      for (const [i, f] of [...input.files].entries()) {
        const hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "paths";
        hidden.value = (input === inputs[0] && dropped && dropped[i]) || f.webkitRelativePath || f.name;
        paths.appendChild(hidden);
        const li = document.createElement("li");
        li.textContent = hidden.value;
        chosen.appendChild(li);
      }
    }
  };
  inputs.forEach((i) => i.addEventListener("change", () => { if (i === inputs[0]) dropped = null; describe(); }));
  const readEntry = (entry, out) => new Promise((resolve) => {
    if (entry.isFile) {
      entry.file((f) => { out.push([f, entry.fullPath.replace(/^\//, "")]); resolve(); }, () => resolve());
    } else {
      const reader = entry.createReader();
      const all = [];
      const next = () => reader.readEntries(async (batch) => {
        if (!batch.length) { for (const e of all) await readEntry(e, out); resolve(); return; }
        all.push(...batch);
        next();
      }, () => resolve());
      next();
    }
  });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const entries = [...e.dataTransfer.items].map((it) => it.webkitGetAsEntry && it.webkitGetAsEntry()).filter(Boolean);
    const files = [];
    if (entries.length) { for (const entry of entries) await readEntry(entry, files); }
    else files.push(...[...e.dataTransfer.files].map((f) => [f, f.name]));
    const dt = new DataTransfer();
    files.forEach(([f]) => dt.items.add(f));
    inputs[0].files = dt.files;
    dropped = files.map(([, path]) => path);
    inputs[1].value = "";
    describe();
  });
}

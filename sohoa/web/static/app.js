// Small helpers: highlight a field's box while its input has focus, drag and drop uploads, auto-refresh.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("tr[data-field] input").forEach((input) => {
    const key = input.closest("tr").dataset.field;
    const boxes = () => document.querySelectorAll(`rect[data-field="${CSS.escape(key)}"]`);
    input.addEventListener("focus", () => boxes().forEach((b) => { b.classList.add("hl"); b.scrollIntoView({block: "center", behavior: "smooth"}); }));
    input.addEventListener("blur", () => boxes().forEach((b) => b.classList.remove("hl")));
  });
  const drop = document.getElementById("drop");
  const files = document.getElementById("files");
  if (drop && files) {
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); files.files = e.dataTransfer.files; });
  }
  const refresh = document.querySelector("[data-refresh]");
  if (refresh) setTimeout(() => location.reload(), 1000 * Number(refresh.dataset.refresh));
});

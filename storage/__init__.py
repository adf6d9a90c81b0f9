"""See design.md: layout.

- ``storage.db``: the shared database (``Database``, models, Alembic migrations);
- ``storage.repository``: reading and writing pipeline results (plain functions over a Session);
- ``storage.objects``: S3 object storage (``ObjectStore``: originals, derived PDFs, the locked archive);
- ``storage.seaweed``: the embedded SeaweedFS server used when no S3 endpoint is configured.
"""

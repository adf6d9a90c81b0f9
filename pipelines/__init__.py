"""Domain model and stage functions of sohoa, in pipeline order. Pure: no Prefect, no database session."""

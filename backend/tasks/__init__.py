"""huey tasks of the order pipeline (imported by backend.jobs so every consumer knows them)."""

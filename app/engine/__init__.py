"""The submission engine: plans orders, keeps the journal, sends, retries, tracks and resumes."""

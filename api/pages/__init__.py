"""HTML pages: login, patient selection, consent, account, directory."""

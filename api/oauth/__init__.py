"""OAuth 2.0 authorization server (SMART App Launch 2) on Authlib."""

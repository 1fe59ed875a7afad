"""Encryption at rest for shop access tokens (Fernet: AES-128-CBC + HMAC-SHA256).

`TOKEN_ENCRYPTION_KEY` may hold several comma-separated keys: the first
encrypts, all decrypt, so a key can be rotated without a migration.
"""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class TokenCipher:
    def __init__(self, keys: str):
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError("TOKEN_ENCRYPTION_KEY is empty")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:  # wrong key or tampered value
            raise ValueError("stored token cannot be decrypted with TOKEN_ENCRYPTION_KEY") from exc

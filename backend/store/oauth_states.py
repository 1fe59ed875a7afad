"""`oauth_states`: single-use OAuth state nonces, one per authorization begun."""
from __future__ import annotations

from sqlmodel import delete

from backend.store.models import OAuthState


def add(db, nonce: str, shop: str) -> None:
    with db.session() as s:
        s.add(OAuthState(nonce=nonce, shop_domain=shop))


def consume(db, nonce: str) -> OAuthState | None:
    """Delete the state row and return it; a second use finds nothing (one DELETE, no race)."""
    with db.session() as s:
        state = s.get(OAuthState, nonce)
        if state is None:
            return None
        deleted = s.exec(delete(OAuthState).where(OAuthState.nonce == nonce)).rowcount
    return state if deleted == 1 else None


def delete_for_shop(s, shop: str) -> None:
    """Every pending state of the shop (within the caller's Session)."""
    s.exec(delete(OAuthState).where(OAuthState.shop_domain == shop))

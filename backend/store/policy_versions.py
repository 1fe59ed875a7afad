"""`policy_versions` and the shop's `active_policy` pointer: every activated text kept, who and when."""
from __future__ import annotations

from sqlmodel import select

from backend.store.models import PolicyVersion, Shop, utcnow


def get(db, vid: int) -> PolicyVersion | None:
    with db.session() as s:
        return s.get(PolicyVersion, vid)


def active_pointer(db, shop: str) -> str | None:
    """The shop's `active_policy` value (a version ref, a preset name or a path), None without one or a shop."""
    with db.session() as s:
        row = s.exec(select(Shop).where(Shop.domain == shop)).first()
        return row.active_policy if row else None


def listing(db, shop: str, limit: int = 50) -> list[PolicyVersion]:
    with db.session() as s:
        return list(s.exec(select(PolicyVersion).where(PolicyVersion.shop_domain == shop)
                           .order_by(PolicyVersion.id.desc()).limit(limit)))


def find_or_add(db, shop: str, name: str, version: str, source: str, based_on: str | None,
                created_by: str | None) -> PolicyVersion:
    """The shop's row for this version string, added with this text when there is none."""
    with db.session() as s:
        same = s.exec(select(PolicyVersion).where(PolicyVersion.shop_domain == shop,
                                                  PolicyVersion.version == version)).first()
        if same is not None:
            return same
        row = PolicyVersion(shop_domain=shop, name=name, based_on=based_on, version=version,
                            source=source, created_by=created_by)
        s.add(row)
        s.flush()
        return row


def mark_active(db, shop: str, vid: int, user: str | None, pointer) -> tuple[PolicyVersion | None, bool]:
    """Make version `vid` the shop's active one (`pointer(row)` is the value stored on the shop), in one
    transaction. Returns (the row, or None when it is not this shop's; whether the shop exists)."""
    with db.session() as s:
        row = s.get(PolicyVersion, vid)
        shop_row = s.exec(select(Shop).where(Shop.domain == shop)).first()
        if row is None or row.shop_domain != shop or shop_row is None:
            return (row if row is not None and row.shop_domain == shop else None), shop_row is not None
        row.activated_at, row.activated_by = utcnow(), user
        shop_row.active_policy = pointer(row)
        s.add(row)
        s.add(shop_row)
        return row, True

"""Order pipeline stories with an expiring offline token that Shopify revokes mid-life (401):
the Admin client refreshes once and carries on, or parks the job and clears the tokens when the
refresh token is dead too. SQLite + in-process consumer, PostgreSQL + Redis consumers."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import select

from backend.store.models import Shop
from tests.integration.pipeline_helpers import order_payload

SHOP = "tokens-dev.myshopify.com"
US_NY = {"country_code": "US", "province_code": "NY", "address1": "1 Main St", "city": "New York", "zip": "10001"}


def install_expiring(p, policy: str = "ally") -> str:
    """The shop as after a managed install: an expiring offline token and its refresh token, encrypted."""
    p.sim.add_shop(SHOP)
    answer = p.sim.install(SHOP, expiring=True)
    cipher, now = p.app.extensions["fineprint.cipher"], datetime.now(timezone.utc)
    with p.db.session() as s:
        s.add(Shop(domain=SHOP, access_token_encrypted=cipher.encrypt(answer["access_token"]),
                   access_token_expires_at=now + timedelta(seconds=answer["expires_in"]),
                   refresh_token_encrypted=cipher.encrypt(answer["refresh_token"]),
                   refresh_token_expires_at=now + timedelta(seconds=answer["refresh_token_expires_in"]),
                   scopes="read_orders,write_orders", installed_at=now, active_policy=policy))
    return answer["access_token"]


def a_sample_order(p):
    product = p.sim.add_product(SHOP, "Sample", product_type="Sample", price="100.00")
    return p.sim.add_order(SHOP, line_items=[{"variant": product.variants[0], "price": "100.00"}],
                           shipping_address=US_NY)


def stored_shop(p) -> Shop:
    with p.db.session() as s:
        return s.exec(select(Shop).where(Shop.domain == SHOP)).one()


def refresh_grants(p) -> list:
    return [c for c in p.sim.calls("token", SHOP) if c.grant_type == "refresh_token"]


def test_a_revoked_access_token_is_refreshed_once_and_the_order_is_still_tagged(pipeline):
    first = install_expiring(pipeline)
    order = a_sample_order(pipeline)
    pipeline.sim.inject(SHOP, "revoked")          # Shopify answers 401 once; the refresh token still works
    pipeline.send("orders/create", order_payload(pipeline.sim, SHOP, order), shop=SHOP)
    pipeline.settle()

    assert pipeline.our_tags(SHOP, order.id) == {"final-sale"}
    assert len(pipeline.writes(SHOP, order.id)) == 1
    assert len(refresh_grants(pipeline)) == 1
    shop = stored_shop(pipeline)
    cipher = pipeline.app.extensions["fineprint.cipher"]
    rotated = cipher.decrypt(shop.access_token_encrypted)
    assert rotated != first and pipeline.sim.oauth.valid_token(SHOP, rotated)
    assert rotated.encode() not in shop.access_token_encrypted.encode()  # stored encrypted
    assert pipeline.sim.oauth.refresh_tokens.get(cipher.decrypt(shop.refresh_token_encrypted))  # rotated one kept


def test_when_the_refresh_token_is_dead_too_the_job_is_parked_and_the_tokens_cleared(pipeline):
    install_expiring(pipeline)
    order = a_sample_order(pipeline)
    pipeline.sim.revoke_tokens(SHOP)              # as after an uninstall: access and refresh tokens dead
    pipeline.send("orders/create", order_payload(pipeline.sim, SHOP, order), shop=SHOP)
    pipeline.settle()

    [job] = pipeline.jobs(status="parked")
    assert "ReauthorizationRequired" in job.last_error and "re-authorize" in job.last_error
    assert job.attempts == 1, "parked at once: no retry loop against a dead token"
    assert len(refresh_grants(pipeline)) == 1
    shop = stored_shop(pipeline)
    assert shop.access_token_encrypted is None and shop.refresh_token_encrypted is None
    assert pipeline.our_tags(SHOP, order.id) == set() and pipeline.writes(SHOP, order.id) == []

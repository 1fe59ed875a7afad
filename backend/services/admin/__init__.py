"""The merchant's admin page: its sections' read models, settings, dashboard figures, formatting in the shop's words. May import: store, policy, decisions, orders, the queue port."""

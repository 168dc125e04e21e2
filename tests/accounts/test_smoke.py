from portal.accounts.models import Role


def test_login_shows_start_page(client, factories, login):
    user = factories.provider()
    login(user)
    page = client.get("/portal/").get_data(as_text=True)
    assert user.name in page


def test_staff_sees_pending_organisations(client, factories, login):
    factories.organisation(name="Wartender Träger", status="pending")
    login(factories.user(Role.STAFF))
    assert "Wartender Träger" in client.get("/portal/").get_data(as_text=True)

"""The notification setting on the account page: single mails or a daily digest."""

from portal.notifications.delivery import deliver_pending
from portal.notifications.services import notify, queue_digests
from tests.accounts.helpers import subjects


def test_account_page_offers_both_modes(client, factories, login):
    login(factories.provider())
    page = client.get("/portal/konto").get_data(as_text=True)
    assert "Sofort: eine E-Mail für jede Nachricht" in page
    assert "Einmal am Tag" in page


def test_choosing_the_digest_bundles_notifications(client, factories, login, mailbox):
    user = factories.provider()
    login(user)
    response = client.post("/portal/konto/benachrichtigungen", data={"mode": "daily"})
    assert response.status_code == 302
    assert user.notify_daily
    for title in ("Erstes Angebot", "Zweites Angebot"):
        notify(user, "offer_approved", title=title, status="Genehmigt", link="http://localhost/portal/angebote/1")
    assert queue_digests() == 1
    deliver_pending()
    assert subjects(mailbox, user.email) == ["Ihre tägliche Zusammenfassung (2 Nachrichten)"]


def test_invalid_choice_changes_nothing(client, factories, login):
    user = factories.provider()
    login(user)
    client.post("/portal/konto/benachrichtigungen", data={"mode": "hourly"})
    assert not user.notify_daily

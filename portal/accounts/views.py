"""Routes of the accounts domain: sign-in, registration, own account, organisations and users."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.access import Access, access
from portal.accounts import mfa, passkeys, services
from portal.accounts.forms import (
    ChangeDecisionForm,
    ChangePasswordForm,
    CodeForm,
    ConfirmPasswordForm,
    EmptyForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    NotificationForm,
    OrganisationForm,
    PasskeyForm,
    RecoveryCodeForm,
    RegistrationForm,
    ResetPasswordForm,
    RoleForm,
    StaffInviteForm,
    StatusForm,
)
from portal.accounts.models import (
    ORG_STATUS_LABELS,
    PUBLIC_FIELD_LABELS,
    ChangeStatus,
    Organisation,
    OrganisationChange,
    OrgStatus,
    Passkey,
    Role,
    TokenPurpose,
    User,
)
from portal.accounts.queries import open_change, organisations_by_status, users_for_admin
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import utcnow
from portal.security import start_session_clock
from portal.views import load_or_deny, show_error

bp = Blueprint("accounts", __name__, url_prefix="/portal")
PENDING_LOGIN_SECONDS = 300
PASSKEY_FAILED = "Die Anmeldung mit dem Passkey hat nicht geklappt. Bitte versuchen Sie es noch einmal."
EDIT_SAVED = "Die Angaben Ihrer Organisation sind gespeichert."
EDIT_WAITS = (
    "Die Angaben Ihrer Organisation sind gespeichert. Die Änderung der öffentlichen Angaben erscheint auf der "
    "Website, sobald die ARGE sie bestätigt hat."
)


def safe_next(target: str | None) -> str:
    """Only the portal's own paths are accepted as a target after login (no control characters either)."""
    if target and target.startswith("/portal/") and "\\" not in target and target.isprintable():
        return target
    return url_for("home.index")


# --- sign-in ---------------------------------------------------------------------------------------


@bp.route("/anmelden", methods=["GET", "POST"])
@access(Access.ANONYMOUS)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        result, user = services.authenticate(form.email.data, form.password.data)
        response = _after_password(result, user)
        if response is not None:
            return response
    return render_template("accounts/login.html", form=form)


def _after_password(result: services.LoginResult, user: User | None) -> Response | None:
    if result is services.LoginResult.THROTTLED:
        flash(
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie 15 Minuten oder setzen Sie Ihr "
            "Passwort zurück.",
            "danger",
        )
    elif result is services.LoginResult.BAD:
        flash("E-Mail-Adresse oder Passwort sind nicht richtig.", "danger")
    elif result is services.LoginResult.UNVERIFIED and user is not None:
        services.resend_verification(user)
        flash(
            "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse. Wir haben Ihnen den Link noch einmal geschickt.", "info"
        )
    elif user is not None:
        return _second_step(result, user)
    return None


def _second_step(result: services.LoginResult, user: User) -> Response:
    if result is services.LoginResult.OK and not current_app.config["REQUIRE_MFA"]:
        return _complete_login(user, request.args.get("next"))
    session.clear()
    session["pending_login"] = {"id": user.get_id(), "at": utcnow().timestamp(), "next": request.args.get("next")}
    if result is services.LoginResult.NEEDS_SECOND_FACTOR:
        return redirect(url_for("accounts.login_code"))
    return redirect(url_for("accounts.login_setup"))


def _finish_login(user: User, target: str | None) -> str:
    """Sign the user in with a fresh session; the address to go on to."""
    services.finish_login(user)
    session.clear()
    login_user(user)
    start_session_clock()
    return safe_next(target)


def _complete_login(user: User, target: str | None) -> Response:
    return redirect(_finish_login(user, target))


def _pending_target() -> str | None:
    return str(session["pending_login"].get("next") or "") or None


def _pending_user() -> User | None:
    pending = session.get("pending_login")
    if not pending or utcnow().timestamp() - pending["at"] > PENDING_LOGIN_SECONDS:
        return None
    user_id, _, version = pending["id"].partition(".")
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def _pending_with_factor() -> User | None:
    user = _pending_user()
    if user is None or not user.has_second_factor:
        flash("Bitte melden Sie sich erneut an.", "info")
        return None
    return user


@bp.route("/anmelden/code", methods=["GET", "POST"])
@access(Access.ANONYMOUS)
def login_code() -> str | Response:
    user = _pending_with_factor()
    if user is None:
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if user.has_totp and form.validate_on_submit():
        if services.check_totp(user, form.code.data):
            return _complete_login(user, _pending_target())
        form.code.errors = [
            "Der Sicherheitscode ist nicht richtig oder wurde schon benutzt. Bitte warten Sie auf den nächsten Code."
        ]
    return render_template("accounts/login_code.html", form=form, user=user)


@bp.route("/anmelden/wiederherstellung", methods=["GET", "POST"])
@access(Access.ANONYMOUS)
def login_recovery() -> str | Response:
    """The second step with a recovery code, for a user without the app or passkey at hand."""
    user = _pending_with_factor()
    if user is None:
        return redirect(url_for("accounts.login"))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if services.use_recovery_code(user, form.code.data):
            target = _finish_login(user, _pending_target())
            left = current_user.recovery_codes_left
            flash(
                f"Sie sind mit einem Wiederherstellungscode angemeldet; noch {left} "
                f"{'Code ist' if left == 1 else 'Codes sind'} übrig. Erzeugen Sie "
                "neue Codes, wenn Sie nur noch wenige haben, und richten Sie Ihre zweite Sicherung neu ein, falls "
                "Sie das Gerät verloren haben.",
                "warning" if left < 3 else "info",
            )
            return redirect(target)
        form.code.errors = ["Der Wiederherstellungscode ist nicht richtig oder wurde schon benutzt."]
    return render_template("accounts/login_recovery.html", form=form)


@bp.post("/anmelden/passkey/optionen")
@access(Access.ANONYMOUS)
def passkey_login_options() -> Response:
    """Options for navigator.credentials.get(): after the password the user's own passkeys, else any passkey of
    this site (discoverable credentials: sign-in without password)."""
    user = _pending_user()
    options, session["passkey_login"] = passkeys.authentication_options(
        [passkey.credential_id for passkey in user.passkeys] if user else []
    )
    return Response(options, mimetype="application/json")


@bp.post("/anmelden/passkey")
@access(Access.ANONYMOUS)
def passkey_login() -> Response | tuple[Response, int]:
    challenge = session.pop("passkey_login", None)
    payload = request.get_json(silent=True)
    pending = _pending_user()
    if not challenge or not isinstance(payload, dict):
        return jsonify(error=PASSKEY_FAILED), 400
    user = services.sign_in_with_passkey(payload, challenge, pending)
    if user is None:
        return jsonify(error=PASSKEY_FAILED), 400
    target = _pending_target() if pending else request.args.get("next")
    return jsonify(redirect=_finish_login(user, target))


@bp.route("/anmelden/einrichten", methods=["GET", "POST"])
@access(Access.ANONYMOUS)
def login_setup() -> str | Response:
    user = _pending_user()
    if user is None:
        flash("Bitte melden Sie sich erneut an.", "info")
        return redirect(url_for("accounts.login"))
    if user.has_second_factor:  # an existing one is never replaced by someone who only knows the password
        return redirect(url_for("accounts.login_code"))
    form = CodeForm()
    secret = session.setdefault("totp_secret", mfa.new_secret())
    if form.validate_on_submit():
        try:
            codes = services.enable_totp(user, secret, form.code.data)
        except ServiceError as error:
            show_error(form, error)
        else:
            target = _finish_login(user, _pending_target())
            return _show_recovery_codes(codes, target) if codes else redirect(target)
    return _render_totp_setup("accounts/login_setup.html", form, user, secret)


def _show_recovery_codes(codes: list[str], target: str) -> str:
    """The new recovery codes, shown this once (only their digests are stored)."""
    return render_template("accounts/recovery_codes_new.html", codes=codes, target=target)


def _render_totp_setup(template: str, form: CodeForm, user: User, secret: str) -> str:
    uri = mfa.provisioning_uri(secret, user.email)
    return render_template(template, form=form, secret=secret, qr_svg=mfa.qr_svg(uri))


@bp.post("/abmelden")
@access(Access.USER)
def logout() -> Response:
    if EmptyForm().validate_on_submit():
        services.end_sessions(current_user._get_current_object(), "logout")
    logout_user()
    session.clear()
    flash("Sie sind abgemeldet.", "success")
    return redirect(url_for("accounts.login"))


# --- registration, e-mail links -------------------------------------------------------------------


@bp.route("/registrieren", methods=["GET", "POST"])
@access(Access.ANONYMOUS)
def register() -> str:
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            services.register_provider(
                form.token(), form.organisation_data(), form.user_name.data, form.email.data, form.password.data
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            return render_template("accounts/registered.html", email=form.email.data)
    return render_template("accounts/register.html", form=form)


def _keep_link_token(purpose: TokenPurpose, token: str, endpoint: str) -> Response:
    """A link from a mail: its token goes into the session and the address bar shows the page without it, so the
    token reaches neither the browser history, proxy logs nor a Referer."""
    session[f"link_{purpose.value}"] = token
    return redirect(url_for(endpoint))


def _link_token(purpose: TokenPurpose, *, forget: bool = False) -> str:
    """The token of the link opened last; `forget`: taken out of the session (its link is done)."""
    key = f"link_{purpose.value}"
    return str((session.pop(key, "") if forget else session.get(key)) or "")


@bp.get("/registrieren/bestaetigen/<token>")
@access(Access.ANONYMOUS)
def verify_email_link(token: str) -> Response:
    return _keep_link_token(TokenPurpose.VERIFY_EMAIL, token, "accounts.verify_email")


@bp.get("/passwort-zuruecksetzen/<token>")
@access(Access.ANONYMOUS)
def reset_password_link(token: str) -> Response:
    return _keep_link_token(TokenPurpose.RESET_PASSWORD, token, "accounts.reset_password")


@bp.get("/einladung/<token>")
@access(Access.ANONYMOUS)
def invitation_link(token: str) -> Response:
    return _keep_link_token(TokenPurpose.INVITATION, token, "accounts.accept_invitation")


@bp.route("/registrieren/bestaetigen", methods=["GET", "POST"])
@access(Access.ANONYMOUS)
def verify_email() -> str | Response:
    form = EmptyForm()
    if form.validate_on_submit():
        if services.verify_email(_link_token(TokenPurpose.VERIFY_EMAIL, forget=True)) is None:
            return render_template("accounts/link_invalid.html"), 400  # type: ignore[return-value]
        flash("Danke, Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/verify_email.html", form=form)


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
@access(Access.ANONYMOUS)
def forgot_password() -> str:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/passwort-zuruecksetzen", methods=["GET", "POST"])
@access(Access.ANONYMOUS)
def reset_password() -> str | Response | tuple[str, int]:
    token = _link_token(TokenPurpose.RESET_PASSWORD)
    if services.find_token(token, TokenPurpose.RESET_PASSWORD) is None:
        return render_template("accounts/link_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ServiceError as error:
            show_error(form, error)
        else:
            logout_user()
            session.clear()
            flash("Ihr Passwort ist geändert. Bitte melden Sie sich mit dem neuen Passwort an.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/einladung", methods=["GET", "POST"])
@access(Access.ANONYMOUS)
def accept_invitation() -> str | Response | tuple[str, int]:
    token = _link_token(TokenPurpose.INVITATION)
    invitation = services.find_token(token, TokenPurpose.INVITATION)
    if invitation is None:
        return render_template("accounts/link_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(token, form.password.data)
        except ServiceError as error:
            show_error(form, error)
        else:
            _link_token(TokenPurpose.INVITATION, forget=True)
            flash("Willkommen! Ihr Konto ist eingerichtet. Bitte melden Sie sich an.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/accept_invitation.html", form=form, invited=invitation.user)


# --- own account ----------------------------------------------------------------------------------


@bp.get("/konto")
@access(Access.USER)
def account() -> str:
    return _render_account(ConfirmPasswordForm())


def _render_account(disable_form: ConfirmPasswordForm) -> str:
    notification_form = NotificationForm(mode="daily" if current_user.notify_daily else "immediate")
    return render_template(
        "accounts/account.html",
        disable_form=disable_form,
        notification_form=notification_form,
        passkey_form=PasskeyForm(),
    )


@bp.post("/konto/benachrichtigungen")
@access(Access.USER)
def notifications() -> Response:
    form = NotificationForm()
    if form.validate_on_submit():
        services.set_notification_mode(current_user, form.mode.data == "daily")
        flash("Ihre Einstellung für Benachrichtigungen ist gespeichert.", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/konto/passwort", methods=["GET", "POST"])
@access(Access.USER)
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except ServiceError as error:
            show_error(form, error)
        else:
            _keep_this_session()  # all others end
            flash("Ihr Passwort ist geändert. Alle anderen Sitzungen wurden beendet.", "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)


def _keep_this_session() -> None:
    """After a change of the password or the second factors every other session has ended; this one goes on with
    the new session version (the absolute and idle limits keep counting from the sign-in)."""
    login_user(current_user._get_current_object())


@bp.route("/konto/zwei-faktor", methods=["GET", "POST"])
@access(Access.USER)
def totp_setup() -> str | Response:
    form = CodeForm()
    secret = session.setdefault("totp_secret", mfa.new_secret())
    if form.validate_on_submit():
        try:
            codes = services.enable_totp(current_user._get_current_object(), secret, form.code.data)
        except ServiceError as error:
            show_error(form, error)
        else:
            _keep_this_session()
            session.pop("totp_secret", None)
            flash("Die Zwei-Faktor-Anmeldung ist eingerichtet.", "success")
            account = url_for("accounts.account")
            return _show_recovery_codes(codes, account) if codes else redirect(account)
    return _render_totp_setup("accounts/totp_setup.html", form, current_user, secret)


@bp.post("/konto/zwei-faktor/ausschalten")
@access(Access.USER)
def totp_disable() -> str | Response:
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            services.disable_totp(current_user._get_current_object(), form.password.data)
        except ServiceError as error:
            show_error(form, error)
        else:
            _keep_this_session()
            flash("Die Zwei-Faktor-Anmeldung ist ausgeschaltet.", "success")
            return redirect(url_for("accounts.account"))
    return _render_account(form)


@bp.route("/konto/wiederherstellungscodes", methods=["GET", "POST"])
@access(Access.USER)
def recovery_codes() -> str:
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            codes = services.regenerate_recovery_codes(current_user._get_current_object(), form.password.data)
        except ServiceError as error:
            show_error(form, error)
        else:
            _keep_this_session()
            return _show_recovery_codes(codes, url_for("accounts.account"))
    return render_template("accounts/recovery_codes.html", form=form)


@bp.post("/konto/passkeys/optionen")
@access(Access.USER)
def passkey_options() -> Response | tuple[Response, int]:
    """Step 1 of adding a passkey: the form with its name; the answer is the options for
    navigator.credentials.create(), the challenge stays in the session."""
    form = PasskeyForm()
    if not form.validate_on_submit():
        return jsonify(error=" ".join(form.name.errors) or PASSKEY_FAILED), 400
    user = current_user._get_current_object()
    options, challenge = passkeys.registration_options(
        services.passkey_handle(user), user.email, user.name, [passkey.credential_id for passkey in user.passkeys]
    )
    session["passkey_registration"] = {"challenge": challenge, "name": form.name.data}
    return Response(options, mimetype="application/json")


@bp.post("/konto/passkeys")
@access(Access.USER)
def add_passkey() -> Response | tuple[Response, int]:
    """Step 2: the browser's answer (JSON), checked against the challenge in the session."""
    started = session.pop("passkey_registration", None)
    payload = request.get_json(silent=True)
    credential = None
    if started and isinstance(payload, dict):
        credential = passkeys.verify_registration(payload, started["challenge"])
    if credential is None:
        return jsonify(error="Der Passkey konnte nicht gespeichert werden. Bitte versuchen Sie es noch einmal."), 400
    user = current_user._get_current_object()
    try:
        services.add_passkey(user, started["name"], credential)
    except ServiceError as error:
        return jsonify(error=error.message), 400
    _keep_this_session()
    flash(f"Der Passkey „{started['name']}“ ist gespeichert.", "success")
    if user.recovery_codes_left:
        return jsonify(redirect=url_for("accounts.account"))
    flash("Erzeugen Sie jetzt Wiederherstellungscodes, falls Sie den Passkey einmal nicht zur Hand haben.", "info")
    return jsonify(redirect=url_for("accounts.recovery_codes"))


@bp.post("/konto/passkeys/<int:passkey_id>/loeschen")
@access(Access.USER)
def delete_passkey(passkey_id: int) -> Response:
    passkey = load_or_deny(Passkey, passkey_id, visible=lambda passkey: passkey.user_id == current_user.id)
    if EmptyForm().validate_on_submit():
        try:
            services.delete_passkey(current_user._get_current_object(), passkey)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            _keep_this_session()
            flash(f"Der Passkey „{passkey.name}“ ist gelöscht.", "success")
    return redirect(url_for("accounts.account"))


def _reset_second_factor(user: User, back: str) -> Response:
    if EmptyForm().validate_on_submit():
        try:
            services.reset_second_factor(current_user, user)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(
                f"Die Zwei-Faktor-Anmeldung von {user.name} ist zurückgesetzt. {user.name} wurde per E-Mail "
                "informiert und richtet sie bei der nächsten Anmeldung neu ein.",
                "success",
            )
    return redirect(back)


# --- the provider's own organisation --------------------------------------------------------------


@bp.get("/organisation")
@access(Access.PROVIDER)
def own_organisation() -> str:
    return _render_organisation(current_user.organisation, invite_form=InviteForm(), toggle_form=EmptyForm())


def _render_organisation(organisation: Organisation, **forms: Any) -> str:
    """The organisation's page; `forms`: status_form and change_form (staff), invite_form and toggle_form (its
    admin); the open change of its public data is shown to both."""
    forms = {"status_form": None, "change_form": None, "invite_form": None, "toggle_form": None, **forms}
    return render_template(
        "accounts/organisation.html", organisation=organisation, change=open_change(organisation.id), **forms
    )


@bp.route("/organisation/bearbeiten", methods=["GET", "POST"])
@access(Access.PROVIDER_ADMIN)
def edit_organisation() -> str | Response:
    organisation = current_user.organisation
    change = open_change(organisation.id)
    form = OrganisationForm(obj=organisation, org_email=organisation.email, version=organisation.version_id)
    if change is not None and not form.is_submitted():
        for key in PUBLIC_FIELD_LABELS:  # the public data as proposed, not as confirmed
            form[key].data = getattr(change, key)
    if form.validate_on_submit():
        try:
            change = services.update_organisation(current_user, organisation, form.organisation_data(), _version(form))
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(EDIT_SAVED if change is None else EDIT_WAITS, "success")
            return redirect(url_for("accounts.own_organisation"))
    return render_template("accounts/edit_organisation.html", form=form, change=change)


def _version(form: OrganisationForm) -> int:
    """The hidden version field; anything but a number counts as outdated (a conflict, never a crash)."""
    try:
        return int(form.version.data or 0)
    except ValueError:
        return 0


@bp.post("/organisation/einladen")
@access(Access.PROVIDER_ADMIN)
def invite_colleague() -> str | Response:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite_user(
                form.token(), current_user, form.email.data, form.name.data, Role.PROVIDER, current_user.organisation
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"Die Einladung an {form.email.data} ist verschickt.", "success")
            return redirect(url_for("accounts.own_organisation"))
    return _render_organisation(current_user.organisation, invite_form=form, toggle_form=EmptyForm())


@bp.post("/organisation/mitarbeitende/<int:user_id>/aktiv")
@access(Access.PROVIDER_ADMIN)
def toggle_colleague(user_id: int) -> Response:
    colleague = load_or_deny(User, user_id, visible=lambda user: user.organisation_id == current_user.organisation_id)
    return _toggle_active(colleague, url_for("accounts.own_organisation"))


@bp.post("/organisation/mitarbeitende/<int:user_id>/zwei-faktor")
@access(Access.PROVIDER_ADMIN)
def reset_colleague_factor(user_id: int) -> Response:
    colleague = load_or_deny(User, user_id, visible=lambda user: user.organisation_id == current_user.organisation_id)
    return _reset_second_factor(colleague, url_for("accounts.own_organisation"))


def _toggle_active(user: User, back: str) -> Response:
    if EmptyForm().validate_on_submit():
        try:
            services.set_active(current_user, user, not user.active)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(f"Das Konto von {user.name} ist jetzt {'aktiv' if user.active else 'deaktiviert'}.", "success")
    return redirect(back)


# --- staff: organisations -------------------------------------------------------------------------


@bp.get("/organisationen")
@access(Access.STAFF)
def organisations() -> str:
    status = request.args.get("status", "")
    selected = OrgStatus(status) if status in set(OrgStatus) else None
    return render_template(
        "accounts/organisations.html",
        organisations=organisations_by_status(selected),
        selected=selected,
        labels=ORG_STATUS_LABELS,
    )


@bp.get("/organisationen/<int:org_id>")
@access(Access.STAFF)
def organisation_detail(org_id: int) -> str:
    organisation = load_or_deny(Organisation, org_id)
    return _render_organisation(organisation, status_form=StatusForm(), change_form=ChangeDecisionForm())


@bp.post("/organisationen/<int:org_id>/status/<status>")
@access(Access.STAFF)
def organisation_status(org_id: int, status: str) -> str | Response:
    organisation = load_or_deny(Organisation, org_id)
    form = StatusForm()
    if status not in set(OrgStatus):
        abort(404)
    if form.validate_on_submit():
        try:
            services.set_organisation_status(current_user, organisation, OrgStatus(status), form.reason.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"„{organisation.name}“ ist jetzt: {organisation.status_label}.", "success")
            return redirect(url_for("accounts.organisation_detail", org_id=org_id))
    return _render_organisation(organisation, status_form=form, change_form=ChangeDecisionForm())


@bp.post("/organisationsaenderungen/<int:change_id>/<decision>")
@access(Access.STAFF)
def organisation_change(change_id: int, decision: str) -> str | Response:
    """Confirm or refuse a change of an organisation's public data."""
    change = load_or_deny(OrganisationChange, change_id)
    if decision not in (ChangeStatus.CONFIRMED, ChangeStatus.REFUSED):
        abort(404)
    form = ChangeDecisionForm()
    if form.validate_on_submit():
        try:
            services.decide_organisation_change(current_user, change, ChangeStatus(decision), form.reason.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"Die Änderung der öffentlichen Angaben ist jetzt: {change.status_label}.", "success")
            return redirect(url_for("accounts.organisation_detail", org_id=change.organisation_id))
    return _render_organisation(change.organisation, status_form=StatusForm(), change_form=form)


# --- admin: users ---------------------------------------------------------------------------------


@bp.get("/benutzer")
@access(Access.ADMIN)
def users() -> str:
    role = request.args.get("rolle", "")
    return render_template(
        "accounts/users.html",
        users=users_for_admin(role if role in set(Role) else None),
        selected=role,
        role_form=RoleForm(),
        toggle_form=EmptyForm(),
    )


@bp.route("/benutzer/einladen", methods=["GET", "POST"])
@access(Access.ADMIN)
def invite_staff() -> str | Response:
    form = StaffInviteForm()
    if form.validate_on_submit():
        try:
            services.invite_user(
                form.token(), current_user, form.email.data, form.name.data, Role(form.role.data), None
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"Die Einladung an {form.email.data} ist verschickt.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/invite_staff.html", form=form)


@bp.post("/benutzer/<int:user_id>/rolle")
@access(Access.ADMIN)
def change_role(user_id: int) -> Response:
    user = load_or_deny(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.change_role(current_user, user, Role(form.role.data))
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(f"{user.name} hat jetzt die Rolle „{user.role_label}“.", "success")
    return redirect(url_for("accounts.users"))


@bp.post("/benutzer/<int:user_id>/aktiv")
@access(Access.ADMIN)
def toggle_user(user_id: int) -> Response:
    user = load_or_deny(User, user_id)
    return _toggle_active(user, url_for("accounts.users"))


@bp.post("/benutzer/<int:user_id>/zwei-faktor")
@access(Access.ADMIN)
def reset_user_factor(user_id: int) -> Response:
    return _reset_second_factor(load_or_deny(User, user_id), url_for("accounts.users"))

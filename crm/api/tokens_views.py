"""The user's own API tokens (设置 → 接口令牌): make one (its secret shown once), see and revoke them.

A signed-in page like any other (session + CSRF); the API itself takes tokens only.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from crm.api.forms import SCOPE_LABELS, TokenForm
from crm.extensions import db
from crm.i18n import gettext as _
from crm.models.api import ApiToken
from crm.services.api import tokens
from crm.services.core.clock import utcnow
from crm.services.enterprises import ValidationError
from crm.web import attach, get_or_404

bp = Blueprint("api_tokens", __name__, url_prefix="/settings/tokens")


def _owned(user, token: ApiToken) -> bool:
    return token.user_id == user.id


@bp.route("/", methods=["GET", "POST"])
def index():
    form, secret = TokenForm(), None
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(current_user._get_current_object(), form.name.data, form.scope.data)
        except ValidationError as error:
            attach(form, error)
        else:
            db.session.commit()
            flash(_("已创建令牌“%(name)s”。请立即复制，离开本页后将无法再次查看。", name=token.name), "success")
            form = TokenForm(formdata=None)
    return render_template("api/tokens.html", form=form, secret=secret, scopes=SCOPE_LABELS,
                           tokens=tokens.user_tokens(current_user))


@bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    token = get_or_404(ApiToken, token_id, visible=_owned)
    tokens.revoke_token(current_user._get_current_object(), token, utcnow())
    db.session.commit()
    flash(_("已吊销令牌“%(name)s”。", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))

"""The password rule: one function for every place a person sets a password.

The admin user form, the admin reset, the user's own password change and `flask users create`
all ask password_problem().  zxcvbn estimates how guessable a password is from common
passwords, dictionary words, keyboard patterns, sequences (123456789x) and dates; it is also
told the user's own names and the product's words, which an attacker would try first.  The demo
seed's documented demo1234 is the one password that does not pass through here.
"""
from __future__ import annotations

from zxcvbn import zxcvbn

from crm.i18n import gettext as _

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn's "safely unguessable": about 10^8 guesses or more
# zxcvbn's work grows with the length; a long password is judged on its first characters.
_JUDGED_LENGTH = 64
PRODUCT_WORDS = ("zhaoshang", "zsxmgj", "crm", "suifenhe", "jhzx", "jinghe", "jingjihezuo", "demo",
                 "admin", "招商", "招商项目管家", "绥芬河", "经合中心")


def password_problem(password: str, *, username: str | None = "", names: tuple[str | None, ...] = ()) -> str | None:
    """Why this password may not be set (a sentence for the user), or None when it is fine.

    `username` and `names` (display name, email) may be empty: only those given are tried."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _("密码至少需要 %(n)s 个字符。", n=MIN_LENGTH)
    own = [word for word in (username, *names) if word]
    result = zxcvbn(password[:_JUDGED_LENGTH], user_inputs=[*own, *PRODUCT_WORDS])
    if result["score"] < MIN_SCORE:
        return _("密码太常见或太容易猜到（如常用密码、连续数字、用户名或本系统的名称），请换一个更长、更不规则的密码。")
    return None

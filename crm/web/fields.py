"""The app's own WTForms fields: select fields whose options render in one f-string each, and
date fields bounded to the office's range.

WTForms renders every <option> through html_params, which builds each attribute with
Markup.format (string.Formatter, in Python): ~10 µs an option.  The project form offers every
enabled 经合中心 staff member as 负责人 and the departments, parks and task forces, so at province
scale the options were a quarter of the page's time and made the form grow with the number of
users.  The markup is byte-for-byte WTForms' own ("selected" before "value", as html_params sorts
them); an option with render_kw, extra attributes or a bool value takes WTForms' path.
"""
from __future__ import annotations

from datetime import date

import wtforms
from markupsafe import Markup, escape
from wtforms.validators import ValidationError
from wtforms.widgets import Select as _WTFormsSelect

from crm.services.core.clock import EARLIEST, check_date


class Select(_WTFormsSelect):
    """wtforms.widgets.Select with a fast path for plain options."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(choice.value)}">'
                      f'{escape(choice.label or choice.value)}</option>')


class SelectField(wtforms.SelectField):
    widget = Select()


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = Select(multiple=True)


class _Bounded:
    """A date (or date-time) field whose value must pass clock.check_date: from `earliest` to ten
    years ahead, the range named in the message.  Every form's dates use these fields, and the
    sheet imports the same check (sheets.cell_date)."""

    def __init__(self, *args, earliest: date = EARLIEST, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest = earliest

    def pre_validate(self, form):
        super().pre_validate(form)
        if self.data is not None:
            try:
                check_date(self.data, earliest=self.earliest)
            except ValueError as error:
                raise ValidationError(str(error)) from None


class DateField(_Bounded, wtforms.DateField):
    pass


class DateTimeLocalField(_Bounded, wtforms.DateTimeLocalField):
    pass

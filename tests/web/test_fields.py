"""crm.web.fields: select options in one f-string each, with WTForms' own markup."""
import pytest
import wtforms
import wtforms.widgets.core
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from crm.web import fields

TRICKY = [("", "—"), ("1", "农业农村局"), ('a"b', "<b>张三</b> & 'co'"), ("x<y", ""), (0, "零")]


def _pair(multiple, choices, data, **options):
    """The same field twice, once with WTForms' widget and once with ours, bound to `data`."""
    field_class = fields.SelectMultipleField if multiple else fields.SelectField
    stock = wtforms.widgets.Select(multiple=multiple)

    class Form(wtforms.Form):
        ours = field_class(choices=choices, **options)
        theirs = field_class(choices=choices, widget=stock, **options)

    form = Form(MultiDict([(name, value) for name in ("ours", "theirs") for value in data]))
    return str(form.ours()).replace("ours", "NAME"), str(form.theirs()).replace("theirs", "NAME")


@pytest.mark.parametrize("multiple, data", [(False, ["1"]), (False, ['a"b']), (True, ["1", "x<y"]), (False, [])])
def test_options_render_exactly_as_wtforms_renders_them(multiple, data):
    ours, theirs = _pair(multiple, TRICKY, data)
    assert ours == theirs
    assert "&lt;b&gt;张三&lt;/b&gt;" in ours and "<b>" not in ours  # labels from the database are escaped


def test_grouped_options_bool_values_and_render_kw_render_as_wtforms_does():
    groups = [SelectChoice("1", "绥芬河市", optgroup="黑龙江"), SelectChoice("2", "牡丹江市", optgroup="黑龙江"),
              SelectChoice("3", "珲春市", optgroup="吉林")]
    ours, theirs = _pair(False, groups, ["2"])
    assert ours == theirs and '<optgroup label="吉林">' in ours
    ours, theirs = _pair(False, [(True, "是"), (False, "否")], ["True"], coerce=lambda v: v == "True")
    assert ours == theirs and 'value="True">是' in ours
    marked = [SelectChoice("1", "绥芬河市", render_kw={"data-region": "牡丹江"}), SelectChoice("2", "东宁市")]
    ours, theirs = _pair(False, marked, ["1"])
    assert ours == theirs and 'data-region="牡丹江"' in ours


def test_plain_options_skip_wtforms_attribute_builder(monkeypatch):
    calls = []
    real = wtforms.widgets.core.html_params

    def counting(**attributes):
        calls.append(attributes)
        return real(**attributes)

    monkeypatch.setattr(wtforms.widgets.core, "html_params", counting)

    class Form(wtforms.Form):
        owner = fields.SelectField(choices=[(str(n), f"干部{n}") for n in range(200)])

    html = str(Form(MultiDict({"owner": "7"})).owner())
    assert html.count("<option") == 200 and '<option selected value="7">干部7</option>' in html
    assert len(calls) == 1  # the <select> tag's own attributes only


def test_every_select_of_the_app_uses_the_fast_widget(app):
    """A form that imports wtforms' SelectField directly would quietly lose the fast path."""
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    checked = []
    for form in subclasses(FlaskForm):
        if not form.__module__.startswith("crm."):
            continue
        for name, unbound in vars(form).items():
            field_class = getattr(unbound, "field_class", None)
            if field_class is None or not issubclass(field_class, wtforms.SelectFieldBase):
                continue
            widget = unbound.kwargs.get("widget", field_class.widget)
            checked.append(f"{form.__name__}.{name}")
            if isinstance(widget, wtforms.widgets.Select):
                assert isinstance(widget, fields.Select), f"{form.__module__}.{form.__name__}.{name}"
    assert len(checked) > 20  # the forms were imported and walked

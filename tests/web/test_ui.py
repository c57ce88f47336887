"""crm.web.ui: the HTML pieces built in Python instead of Jinja loops."""
from crm.web.ui import option_tags


def test_option_tags_select_the_value_that_reads_as_the_query_string_value():
    html = option_tags([(1, "农业农村局"), (12, "商务局")], "12")
    assert html == '<option value="1">农业农村局</option><option value="12" selected>商务局</option>'
    assert "selected" not in option_tags([(1, "农业农村局")], None)
    assert 'value="1" selected' in option_tags([(1, "农业农村局")], 1)  # an int filter value too


def test_option_tags_escape_what_comes_from_the_database():
    html = option_tags([('a"b', "<b>张三</b>")])
    assert html == '<option value="a&#34;b">&lt;b&gt;张三&lt;/b&gt;</option>'

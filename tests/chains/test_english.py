"""The chain pages in English: every UI text translated (the chain's own Chinese words aside)."""
import re

import pytest

from tests.chains import factories as cf

CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uff00-\uff0a\uff0c-\uffef\u3000-\u303f]")  # not ＋, the app's add sign


@pytest.mark.parametrize("url", ["/chains/", "/chains/{chain}", "/chains/links/{link}", "/chains/gaps",
                                 "/chains/{chain}/edit", "/chains/links/{link}/edit", "/chains/import"])
def test_english_chain_pages_have_no_untranslated_chinese(client, login, url):
    chain = cf.chain(name="测试链", name_en="Test chain", links=("甲",))
    chain.links[0].name_en = "Link A"
    cf.attach(chain.links[0], cf.target_firm(name="测试企业", name_en="Test Firm Ltd"))
    login("admin")
    client.get("/lang/en")
    html = client.get(url.format(chain=chain.id, link=chain.links[0].id)).get_data(as_text=True)
    body = re.sub(r"<script.*?</script>|<option[^>]*>[^<]*</option>|<(input|textarea)[^>]*>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body.split("<main", 1)[1])
    assert CJK.findall(text) == [], text[:2000]

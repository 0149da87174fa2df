"""The HR page's tables stack into labelled cards on a phone (careerconv/views/stacked_tables.py)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from careerconv.views import stacked_tables


def pandas_table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, border=0, classes="hr-table", na_rep="")


def test_every_body_cell_is_labelled_with_its_column_header_escaped_for_an_attribute():
    frame = pd.DataFrame({'Say "hi" & <b>bye</b>': ["<script>x</script>", "b"], "n": [1, 2], "": ["x", "y"]})
    out = stacked_tables.stacked_table(pandas_table(frame))
    assert 'class="dataframe hr-table hr-stack"' in out
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", out)
    assert len(cells) == 6
    assert cells[0] == (' dir="auto" data-label="Say &quot;hi&quot; &amp; &lt;b&gt;bye&lt;/b&gt;"',
                        "&lt;script&gt;x&lt;/script&gt;")
    assert cells[1][0] == ' dir="auto" data-label="n"'
    assert cells[2][0] == ' dir="auto"'  # a column without a header gets no label (its direction is its text's)
    assert "<script>" not in out  # the data stays escaped
    assert out.count("<thead>") == 1 and 'data-label' not in out.split("<tbody>")[0]  # header cells untouched


def test_what_follows_the_table_is_kept():
    html = pandas_table(pd.DataFrame({"a": [1]})) + '<p class="hr-more">… and 3 more rows</p>'
    assert stacked_tables.stacked_table(html).endswith('<p class="hr-more">… and 3 more rows</p>')


@pytest.mark.parametrize("html", ["<p>no table</p>", '<table class="other"><thead></thead><tbody></tbody></table>',
                                  '<table class="hr-table"><tbody><tr><td>1</td></tr></tbody></table>'])
def test_anything_but_an_hr_table_with_header_and_body_is_refused(html):
    with pytest.raises(ValueError, match="hr-table"):
        stacked_tables.stacked_table(html)


def test_a_row_with_more_cells_than_columns_is_refused():
    html = ('<table class="hr-table"><thead><tr><th>a</th></tr></thead>'
            "<tbody><tr><td>1</td><td>2</td></tr></tbody></table>")
    with pytest.raises(ValueError, match="more cells than its 1 columns"):
        stacked_tables.stacked_table(html)


def test_the_stylesheet_stacks_only_on_narrow_screens():
    css = stacked_tables.stylesheet()
    assert css.startswith("<style>") and f"@media screen and (max-width: {stacked_tables.NARROW_SCREEN}px)" in css
    assert css.count("{") == css.count("}")
    outside = css.split("@media")[0]
    assert "hr-stack" not in outside  # wide screens see the table as it is

"""Reports: Markdown and HTML from the same blocks; text from a model cannot inject markup."""

from mcgen.run.report import Report


def test_markdown_and_html_carry_the_same_table(tmp_path):
    r = Report("t").paragraph("a **bold** claim").table(["case", "L1", "ok"],
                                                         [["shock", 0.0123456, True]])
    md, html = r.write(tmp_path)
    assert "| shock | 0.01235 | PASS |" in md.read_text()
    text = html.read_text()
    assert "<td>0.01235</td>" in text and "<b>bold</b>" in text and 'class="pass"' in text


def test_model_text_is_escaped_in_html():
    r = Report("<t>").paragraph("name <script>alert(1)</script>").derivation(
        "### x < y\n1. `a<b`  \n   *why*. Check: identity -> **proved**.")
    html = r.html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<code>a&lt;b</code>" in html

from portal.widgets import LongSelect, LongSelectMultiple


def test_long_select_escapes_values_and_labels_and_marks_the_selected_option():
    widget = LongSelect(choices=[("", "---"), (1, "<b>Dr A</b>"), ('2"x', "B & C")])
    html = widget.render("who", 1)
    assert '<option value="1" selected>&lt;b&gt;Dr A&lt;/b&gt;</option>' in html
    assert '<option value="2&quot;x">B &amp; C</option>' in html
    assert "<b>" not in html


def test_long_select_multiple_marks_every_selected_option():
    html = LongSelectMultiple(choices=[(1, "A"), (2, "B"), (3, "C")]).render("present", [1, 3])
    assert html.count(" selected>") == 2
    assert "multiple" in html

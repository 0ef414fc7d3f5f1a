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


def test_long_select_reuses_a_rendered_list_only_for_the_same_choices_and_selection():
    first = LongSelect(choices=[("", "---"), (1, "Dr A")]).render("deputy_1", None)
    same = LongSelect(choices=[("", "---"), (1, "Dr A")]).render("deputy_2", None)
    renamed = LongSelect(choices=[("", "---"), (1, "Dr A-Smith")]).render("deputy_3", None)
    chosen = LongSelect(choices=[("", "---"), (1, "Dr A")]).render("deputy_1", 1)
    assert first.replace("deputy_1", "deputy_2") == same
    assert "Dr A-Smith" in renamed
    assert '<option value="" selected>---</option>' in first
    assert '<option value="1" selected>Dr A</option>' in chosen
    assert '<option value="" selected>' not in chosen

def test_the_office_proposes_but_never_writes_the_directory_or_approves(office_user):
    assert office_user.has_perm("directory.add_changerequest")
    assert not office_user.has_perm("directory.approve_changerequest")
    for model in ("practitioner", "keycontact", "service"):
        for action in ("add", "change", "delete"):
            assert not office_user.has_perm(f"directory.{action}_{model}"), (action, model)


def test_sag_members_propose_and_approve(sag_member):
    assert sag_member.has_perm("directory.add_changerequest")
    assert sag_member.has_perm("directory.approve_changerequest")
    assert not sag_member.has_perm("directory.change_practitioner")


def test_clinicians_neither_propose_nor_approve(clinician):
    assert not clinician.has_perm("directory.add_changerequest")
    assert not clinician.has_perm("directory.approve_changerequest")

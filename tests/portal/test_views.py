from django.urls import reverse


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sign_in_page_renders_with_nhsuk_frontend_from_static(client, db):
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "/static/portal/nhsuk.css" in content
    assert "/static/portal/nhsuk-init.js" in content
    assert 'class="nhsuk-header"' in content
    assert "bootstrap" not in content.lower()
    assert "cdn" not in content.lower()
    assert "London and South East Sarcoma Network" in content


def test_sign_in_and_out(client, clinician):
    response = client.post(reverse("login"), {"username": "clinician1", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client, clinician):
    response = client.post(reverse("login"), {"username": "clinician1", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_home_shows_each_role_what_it_can_do(client, office_user, clinician, sag_member, outsider):
    expected = {
        office_user: "MDT office",
        clinician: "Clinician",
        sag_member: "Sarcoma Advisory Group",
        outsider: "Your account has no role yet",
    }
    for user, text in expected.items():
        client.force_login(user)
        content = client.get(reverse("home")).content.decode()
        assert text in content, user
        others = set(expected.values()) - {text}
        assert not any(f">{other}</h2>" in content for other in others), user


def test_admin_link_only_for_staff(client, office_user, clinician):
    client.force_login(clinician)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
    client.force_login(office_user)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()

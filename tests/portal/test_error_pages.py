from django.urls import reverse


def test_404_page_is_the_portals_own(client, clinician):
    client.force_login(clinician)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert reverse("home") in response.content.decode()


def test_403_page_explains_the_refusal(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("second_opinions:figures"))
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()

from django.urls import reverse


def search_patients(client, q: str = "", **filters):
    """Search the patient list as its form does (a POST; the terms stay in the session) and
    return the list page it leads to."""
    response = client.post(reverse("referrals:patient_list"), {"q": q, **filters}, follow=True)
    assert "q=" not in response.request["QUERY_STRING"]
    return response

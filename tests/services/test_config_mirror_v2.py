"""The config mirror's lookups of contract v2: loan purposes and document types per office, job
titles per credential, fetched from a real sandbox and read back typed."""

from proposals.models import MirroredLookups, MirroredOffice
from proposals.services.config_mirror import config_refresh, job_titles_for, office_config
from proposals.siesmart import errors
from proposals.siesmart.client import SieSmartClient
from proposals.siesmart.enums import DocumentTypeCode


def _office(credential, office_id):
    return MirroredOffice.objects.get(credential=credential, office_id=office_id)


def test_loan_purposes_and_document_types_are_mirrored_per_office(mirrored):
    gb, ie = office_config(_office(mirrored, 1001)), office_config(_office(mirrored, 1002))
    # The seed gives each office its own purposes: office 1001 has software licences,
    # office 1002 site preparation instead.
    assert {purpose.id for purpose in gb.loan_purposes} == {1, 2, 3, 4}
    assert {purpose.id for purpose in ie.loan_purposes} == {1, 2, 4, 5}
    assert "Training" in {purpose.name for purpose in gb.loan_purposes}
    codes = {kind.code for kind in gb.document_types}
    assert {DocumentTypeCode.AGREEMENT, DocumentTypeCode.AUDITED_ACCOUNTS} <= codes
    assert all(kind.id and kind.name for kind in gb.document_types)


def test_job_titles_are_mirrored_once_per_credential(mirrored):
    titles = job_titles_for(mirrored)
    assert "Director" in {title.name for title in titles}
    # Exactly the one the signatory types in (jobTitleCustom) says so.
    assert [title.name for title in titles if title.is_custom] == ["Other (please state)"]


def test_a_missing_v2_path_keeps_what_the_mirror_had_and_the_rest_refreshes(mirrored, monkeypatch):
    """The v2 paths are [ASSUME]: should SFS answer 404 there, the v1 configuration is still
    refreshed and the v2 lookups keep their last known values."""
    before = MirroredLookups.objects.get(credential=mirrored).refreshed_at
    purposes_before = _office(mirrored, 1001).loan_purposes
    assert purposes_before and job_titles_for(mirrored)

    def no_such_path(self, *args):
        raise errors.NotFoundError("No such path", status=404)

    monkeypatch.setattr(SieSmartClient, "job_titles", no_such_path)
    monkeypatch.setattr(SieSmartClient, "loan_purposes", no_such_path)
    assert config_refresh(credential=mirrored) == 3

    assert MirroredLookups.objects.get(credential=mirrored).refreshed_at > before
    assert _office(mirrored, 1001).loan_purposes == purposes_before
    assert job_titles_for(mirrored)
    assert office_config(_office(mirrored, 1001)).document_types

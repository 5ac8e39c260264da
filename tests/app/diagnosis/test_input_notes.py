"""The helpers that say what was wrong with the user's input beside azure-identity's verdict."""

from __future__ import annotations

from app.cli.build_hints import source_hint
from app.diagnosis import input_notes
from engine.spec import ChainSpec, CredentialSpec


def test_authority_note_only_for_a_value_that_cannot_be_a_host():
    assert input_notes.authority_note({}) == ""
    assert input_notes.authority_note({"AZURE_AUTHORITY_HOST": "login.microsoftonline.us"}) == (
        " (AZURE_AUTHORITY_HOST='login.microsoftonline.us')"
    )
    assert "is not a host name" in input_notes.authority_note({"AZURE_AUTHORITY_HOST": "not a url"})
    assert "is not a host name" not in input_notes.authority_note({"AZURE_AUTHORITY_HOST": "https://host:8443/"})


def test_problems_are_read_from_the_message_with_a_default():
    assert input_notes.cache_problem("'utf-8' codec can't decode byte 0xff").startswith("is not UTF-8 text")
    assert input_notes.cache_problem("Expecting value: line 1") == "is not valid JSON"
    assert input_notes.cache_problem("'list' object has no attribute 'get'").startswith("is not an MSAL token cache")
    assert input_notes.cache_problem("something else") == input_notes.CACHE_UNREADABLE
    assert input_notes.file_problem("[Errno 21] Is a directory: '/x'") == "is a folder, not a file"
    assert input_notes.file_problem("odd") == input_notes.FILE_UNREADABLE


def test_the_named_file_and_variable_are_shown_as_given():
    assert input_notes.cache_file("[Errno 21] Is a directory: '/h/.IdentityService/msal.cache'") == (
        "/h/.IdentityService/msal.cache"
    )
    assert input_notes.cache_file("") == input_notes.CACHE_FILE
    assert input_notes.mi_endpoint({"MSI_ENDPOINT": ""}) == "MSI_ENDPOINT=''"
    assert input_notes.mi_endpoint({}) == "The managed identity endpoint"
    assert input_notes.token_file({}, "[Errno 21] Is a directory: '/var/t'") == "'/var/t'"
    assert input_notes.request_tenant(None, {"AZURE_TENANT_ID": "x y"}) == "'x y' (AZURE_TENANT_ID)"
    assert input_notes.request_tenant("", {"AZURE_TENANT_ID": "x"}) == "'' (--tenant)"


def test_a_constructor_error_names_the_variable_only_where_a_member_read_it():
    env = {"AZURE_CLIENT_CERTIFICATE_PATH": "/c.pem", "AZURE_TENANT_ID": "bad!"}
    default = ChainSpec()
    assert source_hint("Failed to deserialize certificate", default, env) == " (AZURE_CLIENT_CERTIFICATE_PATH='/c.pem')"
    assert "AZURE_CLIENT_CERTIFICATE_PASSWORD" in source_hint("Incorrect password, could not decrypt key", default, env)
    assert source_hint("Invalid tenant ID provided.", default, env) == " (AZURE_TENANT_ID='bad!')"
    own = ChainSpec(type="ChainedTokenCredential", credentials=[CredentialSpec("CertificateCredential")])
    assert source_hint("Failed to deserialize certificate", own, env) == ""  # its certificate_path, not the variable
    with_secret = {**env, "AZURE_CLIENT_SECRET": "s"}  # EnvironmentCredential then never reads the certificate
    assert source_hint("No such file or directory", default, with_secret) == ""

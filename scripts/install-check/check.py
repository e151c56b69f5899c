"""The user's script for the installed wheel: the scenario of scripts/install-check/expected.txt."""

import os
import sys

import notiflows_auth
from notiflows_auth import Authenticator, NotiflowsAuthError, Verifier, generate_signing_key, sign_user_token

module = notiflows_auth._native.__file__
print(f"python: version {notiflows_auth.__version__}, module {module}", file=sys.stderr)
assert notiflows_auth.__version__ == os.environ["EXPECTED_VERSION"], notiflows_auth.__version__
assert module.startswith(os.environ["INSTALL_DIR"] + "/"), module

pair = generate_signing_key()
token = sign_user_token("user-42", pair.private_key_pem, expires_in=600)
print(f"verified {Verifier(pair.public_key_pem).verify(token).sub}")

auth = Authenticator()
auth.add_project("pk_test_1", security_mode="secure", signing_public_key=pair.public_key_pem,
                 allowed_origins=["https://app.example.com"])


def request(origin: str) -> dict[str, str]:
    return {"x-notiflows-api-key": "pk_test_1", "x-notiflows-user-key": token, "Origin": origin}


user = auth.authenticate(request("https://app.example.com"))
print(f"authenticated {user.user_id} {user.mode}")
try:
    auth.authenticate(request("https://evil.example.net"))
    print("not refused")
except NotiflowsAuthError as e:
    print(f"refused {e.code} {e.status}")

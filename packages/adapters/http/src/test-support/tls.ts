/**
 * A self-signed certificate for "localhost" and 127.0.0.1 (valid for 100 years),
 * made for the tests with:
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
 *     -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
 * It protects nothing; it only lets the tests run a local HTTPS server.
 */
export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqawdVj122IrPaw93
Jx0+0+gFY2M8awb7juIeAytyxJWhRANCAATZX1kcMejb+2t21eHIynIGBFOYEH++
Kgk8jjAmuZChJX9Uo0IiJe5lL2KBg/jFHTd2nBrCMgAIxpX3SBm6WHXi
-----END PRIVATE KEY-----
`;

export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUcHwZeacaFGmcVL9azuJ6tjK6zCgwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTE0NTIxM1oYDzIxMjYxMTAx
MTQ1MjEzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATZX1kcMejb+2t21eHIynIGBFOYEH++Kgk8jjAmuZChJX9Uo0IiJe5l
L2KBg/jFHTd2nBrCMgAIxpX3SBm6WHXio28wbTAdBgNVHQ4EFgQUI9zbxoGCecU6
nRg1jw3Q+0AQUm4wHwYDVR0jBBgwFoAUI9zbxoGCecU6nRg1jw3Q+0AQUm4wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIgf4+JNSEah9a5NHkanxSlMTD0Dj50fahK0dyis/Qp5fQCIQDw
wuvszdzWOyfUFvt/CE4xQYRmIUbje+vKt0hvans0BQ==
-----END CERTIFICATE-----
`;

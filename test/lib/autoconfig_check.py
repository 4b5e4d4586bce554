#!/usr/bin/env python3
"""autoconfig_check.py FILE [EMAIL]: checks a Thunderbird autoconfig answer against the
fields Thunderbird reads (clientConfig version 1.1, as its autoconfig file format page
documents them) and prints one line per server: DIRECTION TYPE HOST PORT SOCKETTYPE USERNAME.
USERNAME has %EMAILADDRESS% / %EMAILLOCALPART% / %EMAILDOMAIN% replaced when EMAIL is given.
Exits 1 with the reason on the first field that is missing or not allowed."""
import sys
import xml.etree.ElementTree as ET

SOCKET_TYPES = {"plain", "SSL", "STARTTLS"}
AUTHENTICATION = {"password-cleartext", "password-encrypted", "NTLM", "GSSAPI", "client-IP-address",
                  "TLS-client-cert", "OAuth2", "none"}
INCOMING_TYPES = {"pop3", "imap"}


def fail(message):
    sys.exit("autoconfig: " + message)


def text(parent, tag, where):
    node = parent.find(tag)
    if node is None or not (node.text or "").strip():
        fail("%s has no <%s>" % (where, tag))
    return node.text.strip()


def server(node, direction, types, email):
    kind = node.get("type")
    where = "%s type=%r" % (node.tag, kind)
    if kind not in types:
        fail("%s: type must be one of %s" % (where, sorted(types)))
    host = text(node, "hostname", where)
    port = text(node, "port", where)
    if not port.isdigit() or not 0 < int(port) < 65536:
        fail("%s: port %r is not a port" % (where, port))
    socket_type = text(node, "socketType", where)
    if socket_type not in SOCKET_TYPES:
        fail("%s: socketType %r is not one of %s" % (where, socket_type, sorted(SOCKET_TYPES)))
    for auth in node.findall("authentication"):
        if (auth.text or "").strip() not in AUTHENTICATION:
            fail("%s: authentication %r unknown" % (where, auth.text))
    if not node.findall("authentication"):
        fail("%s has no <authentication>" % where)
    username = text(node, "username", where)
    if email:
        local, _, domain = email.partition("@")
        username = (username.replace("%EMAILADDRESS%", email).replace("%EMAILLOCALPART%", local)
                    .replace("%EMAILDOMAIN%", domain))
    print(direction, kind, host, port, socket_type, username)


def main():
    root = ET.parse(sys.argv[1]).getroot()
    email = sys.argv[2] if len(sys.argv) > 2 else ""
    if root.tag != "clientConfig" or root.get("version") != "1.1":
        fail("the root is not <clientConfig version=\"1.1\">")
    providers = root.findall("emailProvider")
    if len(providers) != 1:
        fail("expected one <emailProvider>, got %d" % len(providers))
    provider = providers[0]
    if not provider.get("id"):
        fail("<emailProvider> has no id")
    domains = [d.text.strip() for d in provider.findall("domain") if d.text]
    if not domains:
        fail("<emailProvider> has no <domain>")
    if email and email.partition("@")[2].lower() not in [d.lower() for d in domains]:
        fail("%s is not in the provider's domains %s" % (email, domains))
    text(provider, "displayName", "emailProvider")
    text(provider, "displayShortName", "emailProvider")
    incoming = provider.findall("incomingServer")
    outgoing = provider.findall("outgoingServer")
    if not incoming or not outgoing:
        fail("need at least one incomingServer and one outgoingServer")
    for node in incoming:
        server(node, "incoming", INCOMING_TYPES, email)
    for node in outgoing:
        server(node, "outgoing", {"smtp"}, email)


if __name__ == "__main__":
    main()

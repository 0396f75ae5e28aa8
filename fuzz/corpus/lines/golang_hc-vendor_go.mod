module github.com/brutella/hc

require (
	github.com/agl/ed25519 v0.0.0-20170116200512-5312a6153412
	github.com/brutella/dnssd v1.1.0
	github.com/miekg/dns v1.1.4 // indirect
	github.com/tadglines/go-pkgs v0.0.0-20140924210655-1f86682992f1
	github.com/xiam/to v0.0.0-20191116183551-8328998fc0ed
	golang.org/x/crypto v0.0.0-20181203042331-505ab145d0a9
	golang.org/x/net v0.0.0-20190125091013-d26f9f9a57f3 // indirect
	golang.org/x/sync v0.0.0-20181221193216-37e7f081c4d4 // indirect
	golang.org/x/sys v0.0.0-20190130150945-aca44879d564 // indirect
)

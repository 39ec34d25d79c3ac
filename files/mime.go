package files

import (
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// DetectMIME sniffs the content's type and checks it against the one the name's extension
// claims. The extension's type is kept when the content agrees with it (or cannot tell, as
// for most binary formats that sniffing does not know); content that is clearly something
// else (a ".png" that is HTML or a JPEG) is refused, so a file is never served under a type
// its bytes contradict.
func DetectMIME(name string, head []byte) (string, error) {
	sniffed := base(http.DetectContentType(head))
	claimed := base(mime.TypeByExtension(strings.ToLower(path.Ext(name))))
	if claimed == "" {
		return sniffed, nil
	}
	if compatible(claimed, sniffed) {
		return claimed, nil
	}
	return "", gqlbase.BadInput("the content of %q looks like %s, not the %s its extension says", name, sniffed, claimed).WithField("file")
}

func base(t string) string {
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return strings.TrimSpace(strings.ToLower(t))
}

// textual are types whose content sniffs as plain text or XML.
func textual(t string) bool {
	return strings.HasPrefix(t, "text/") || t == "application/json" || t == "application/javascript" ||
		t == "application/xml" || t == "image/svg+xml" || strings.HasSuffix(t, "+xml") || strings.HasSuffix(t, "+json")
}

func compatible(claimed, sniffed string) bool {
	switch {
	case claimed == sniffed:
		return true
	case sniffed == "application/octet-stream":
		// sniffing does not know the format: trust the extension unless it claims a type
		// that sniffing always recognises
		return !strings.HasPrefix(claimed, "image/") && claimed != "text/html" && !textual(claimed)
	case sniffed == "text/plain" || sniffed == "text/xml":
		return textual(claimed) && claimed != "text/html"
	case sniffed == "application/zip":
		// office documents, jars, epubs are zip files
		return strings.HasPrefix(claimed, "application/")
	}
	return false
}

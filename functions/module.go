package functions

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dop251/goja"
)

// MaxCodeBytes bounds a function's source.
const MaxCodeBytes = 256 << 10

// exportDefault matches `export default` where a statement starts: the module's default
// export. goja runs scripts, not ES modules, so the module is wrapped in a function
// and its default export becomes that function's result.
var exportDefault = regexp.MustCompile(`(?m)(^|[;{}]|\s)export\s+default\s+`)

// compile turns a module (`export default (input, ctx) => output`, or CommonJS
// `module.exports = ...`) into a program whose value is a function returning the export.
func compile(name, code string) (*goja.Program, error) {
	if len(code) > MaxCodeBytes {
		return nil, fmt.Errorf("code is %d bytes, more than the %d allowed", len(code), MaxCodeBytes)
	}
	if strings.TrimSpace(code) == "" {
		return nil, fmt.Errorf("code is empty: export a default function (input, ctx) => output")
	}
	body := exportDefault.ReplaceAllString(code, "${1}module.exports.default = ")
	src := "(function (module, exports) {\n" + body +
		"\n;return module.exports.default !== undefined ? module.exports.default : module.exports;\n})"
	prog, err := goja.Compile(name, src, false)
	if err != nil {
		return nil, fmt.Errorf("syntax error: %s", strings.TrimSpace(err.Error()))
	}
	return prog, nil
}

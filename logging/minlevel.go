package logging

import (
	"context"
	"log/slog"
)

// AtLeast returns l keeping only lines at level or above: for libraries (the job engine)
// whose routine lines would drown the server's own.
func AtLeast(l *slog.Logger, level slog.Level) *slog.Logger {
	return slog.New(minLevelHandler{l.Handler(), level})
}

type minLevelHandler struct {
	slog.Handler
	min slog.Level
}

func (h minLevelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevelHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevelHandler{h.Handler.WithAttrs(as), h.min}
}

func (h minLevelHandler) WithGroup(name string) slog.Handler {
	return minLevelHandler{h.Handler.WithGroup(name), h.min}
}

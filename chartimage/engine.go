package chartimage

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// ErrTimeout is returned (wrapped) when a render takes longer than the
// renderer's timeout. The web layer may answer 503.
var ErrTimeout = errors.New("render timed out")

// Theme and DarkTheme are the ECharts themes images are drawn with: the
// page's light and dark themes, registered by echarts-ssr.js.
const (
	Theme     = "bilateral"
	DarkTheme = "bilateral-dark"
)

// setupJS runs once in every runtime, after the bundle. It supplies what
// the bundle finds missing outside a browser (text measuring) and the map
// geometry, and defines the render function. It is fixed text: data never
// becomes script; the option arrives as a string argument and is parsed
// with JSON.parse.
const setupJS = `(function (measure, geoJSON, mapName) {
  'use strict';
  echarts.setPlatformAPI({
    measureText: function (text, font) { return { width: measure(String(text), String(font || '')) }; }
  });
  if (geoJSON) echarts.registerMap(mapName, JSON.parse(geoJSON));
  return function render(optionJSON, width, height, theme) {
    var chart = echarts.init(null, theme, { renderer: 'svg', ssr: true, width: width, height: height, locale: 'EN' });
    try {
      chart.setOption(JSON.parse(optionJSON));
      return chart.renderToSVGString();
    } finally {
      chart.dispose();
    }
  };
})`

// engine is one JavaScript runtime with ECharts loaded.
type engine struct {
	vm     *goja.Runtime
	render func(optionJSON string, width, height int, theme string) (string, error)
}

// pool hands out engines, at most size at a time. A slot holds nil until
// its engine is first needed, or after an engine was thrown away.
type pool struct {
	bundle  *goja.Program
	setup   *goja.Program
	geoJSON string
	mapName string
	fonts   *fonts
	timeout time.Duration
	slots   chan *engine
}

func newPool(bundle, setup *goja.Program, geoJSON, mapName string, fs *fonts, size int, timeout time.Duration) *pool {
	p := &pool{bundle: bundle, setup: setup, geoJSON: geoJSON, mapName: mapName, fonts: fs, timeout: timeout, slots: make(chan *engine, size)}
	for i := 0; i < size; i++ {
		p.slots <- nil
	}
	return p
}

// fixedTime is the clock of every runtime. zrender times its text
// measuring with Date and changes strategy when it seems slow; a stopped
// clock keeps the output a function of the input alone.
var fixedTime = time.Date(2020, 10, 1, 0, 0, 0, 0, time.UTC)

func (p *pool) newEngine() (*engine, error) {
	vm := goja.New()
	// Timers are never needed for a synchronous SSR render; no-ops keep the
	// bundle's scheduling code quiet. Nothing else reaches the runtime: no
	// require, no console, no network, no file system.
	noop := func(goja.FunctionCall) goja.Value { return vm.ToValue(0) }
	for _, name := range []string{"setTimeout", "clearTimeout", "setInterval", "clearInterval"} {
		if err := vm.Set(name, noop); err != nil {
			return nil, err
		}
	}
	vm.SetTimeSource(func() time.Time { return fixedTime })
	vm.SetRandSource(newRand())
	if _, err := vm.RunProgram(p.bundle); err != nil {
		return nil, fmt.Errorf("load echarts-ssr.js: %w", err)
	}
	v, err := vm.RunProgram(p.setup)
	if err != nil {
		return nil, fmt.Errorf("set up ECharts: %w", err)
	}
	var setup func(measure func(string, string) float64, geoJSON, mapName string) (goja.Value, error)
	if err := vm.ExportTo(v, &setup); err != nil {
		return nil, fmt.Errorf("set up ECharts: %w", err)
	}
	rv, err := setup(p.measure, p.geoJSON, p.mapName)
	if err != nil {
		return nil, fmt.Errorf("set up ECharts: %w", err)
	}
	e := &engine{vm: vm}
	if err := vm.ExportTo(rv, &e.render); err != nil {
		return nil, fmt.Errorf("set up ECharts: %w", err)
	}
	return e, nil
}

// warm starts up to n runtimes in empty slots, one at a time. A slot that
// is busy or already has a runtime is left alone; a failure is left for
// the render that next takes the slot to report.
func (p *pool) warm(n int) {
	for i := 0; i < n; i++ {
		var e *engine
		select {
		case e = <-p.slots:
		default:
			return // all busy: renders will start what they need
		}
		if e == nil {
			e, _ = p.newEngine()
		}
		p.slots <- e
	}
}

// measure is ECharts' measureText, backed by the embedded fonts.
func (p *pool) measure(text, font string) float64 {
	f := parseCSSFont(font)
	return p.fonts.pick(f.weight).width(text, f.size)
}

// newRand is the Math.random of a runtime: seeded, so that anything random
// in ECharts comes out the same for the same option.
func newRand() goja.RandSource {
	r := rand.New(rand.NewPCG(1, 2))
	return r.Float64
}

// run renders option (JSON) at w×h in an engine from the pool, bounded by
// the pool's timeout and ctx. An engine that failed or was interrupted is
// thrown away, not returned: its heap may be half-way through a render.
func (p *pool) run(ctx context.Context, option string, w, h int, theme string) (string, error) {
	var e *engine
	select {
	case e = <-p.slots:
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for a renderer: %w", ctx.Err())
	}
	defer func() { p.slots <- e }()
	if e == nil {
		var err error
		if e, err = p.newEngine(); err != nil {
			return "", err
		}
	}

	rctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var mu sync.Mutex
	done, interrupted := false, false
	stop := context.AfterFunc(rctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			interrupted = true
			e.vm.Interrupt(ErrTimeout)
		}
	})
	e.vm.SetRandSource(newRand())
	svg, err := e.render(option, w, h, theme)
	mu.Lock()
	done = true
	mu.Unlock()
	stop()

	if interrupted {
		e = nil
		if ctx.Err() != nil {
			return "", fmt.Errorf("ECharts: %w", ctx.Err())
		}
		return "", fmt.Errorf("ECharts: %w after %v", ErrTimeout, p.timeout)
	}
	if err != nil {
		e = nil
		return "", fmt.Errorf("ECharts: %w", err)
	}
	return svg, nil
}

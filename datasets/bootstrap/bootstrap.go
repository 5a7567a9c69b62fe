// Package bootstrap fills an empty version store with the embedded default
// dataset. It lives apart from package datasets because it needs the
// workbook encoder (package xlsx, and so excelize), which the datasets root
// does not import.
package bootstrap

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/bilateral/bilateral/datasets"
	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
)

// Store is what Current needs of a version store.
type Store interface {
	// Current returns the current version, or datasets.ErrEmpty.
	Current(ctx context.Context) (datasets.VersionInfo, *stats.Dataset, error)
	// Publish stores a new version and makes it current.
	Publish(ctx context.Context, v datasets.NewVersion) (datasets.VersionInfo, error)
}

// Current returns the store's current version, first importing the
// embedded default dataset (datasets.Default) as version 1, with its
// workbook, when the store is empty.
func Current(ctx context.Context, store Store) (datasets.VersionInfo, *stats.Dataset, error) {
	v, d, err := store.Current(ctx)
	if !errors.Is(err, datasets.ErrEmpty) {
		return v, d, err
	}
	d, err = datasets.Default()
	if err != nil {
		return datasets.VersionInfo{}, nil, err
	}
	var wb bytes.Buffer
	if err := xlsx.Encode(&wb, d); err != nil {
		return datasets.VersionInfo{}, nil, fmt.Errorf("bootstrap: encoding the default dataset: %w", err)
	}
	v, err = store.Publish(ctx, datasets.NewVersion{Workbook: wb.Bytes(), Dataset: d, Author: "bilateral", Comment: "Default dataset embedded in the binary"})
	if err != nil {
		return datasets.VersionInfo{}, nil, fmt.Errorf("bootstrap: publishing the default dataset: %w", err)
	}
	return v, d, nil
}

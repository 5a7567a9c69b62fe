package datasets

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/bilateral/bilateral/datasets/xlsx"
	"github.com/bilateral/bilateral/stats"
)

// Bootstrap returns the store's current version, first importing the
// embedded default dataset as version 1 when the store is empty.
func Bootstrap(ctx context.Context, store Store) (VersionInfo, *stats.Dataset, error) {
	v, d, err := store.Current(ctx)
	if !errors.Is(err, ErrEmpty) {
		return v, d, err
	}
	d, err = Default()
	if err != nil {
		return VersionInfo{}, nil, err
	}
	var wb bytes.Buffer
	if err := xlsx.Encode(&wb, d); err != nil {
		return VersionInfo{}, nil, fmt.Errorf("datasets: encoding the default dataset: %w", err)
	}
	v, err = store.Publish(ctx, NewVersion{Workbook: wb.Bytes(), Dataset: d, Author: "bilateral", Comment: "Default dataset embedded in the binary"})
	if err != nil {
		return VersionInfo{}, nil, err
	}
	return v, d, nil
}

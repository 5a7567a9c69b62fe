// Package charts turns a dataset into chart specifications: an ECharts
// option built with go-echarts' option types, the table of data behind it,
// the sources it cites and a text alternative. Builders are pure functions
// of the dataset; chart ids are stable because URLs and scripts rely on them.
package charts

// Section ids of the dashboard's narrative, in page order.
const (
	SectionOverview    = "overview"
	SectionTrade       = "trade"
	SectionInvestment  = "investment"
	SectionDevelopment = "development"
	SectionEnergy      = "energy"
	SectionCovid       = "covid"
	SectionTechnology  = "technology"
	SectionNext        = "next"
)

// Plot types of a series.
const (
	Bar     = "bar"
	Line    = "line"
	Scatter = "scatter"
)

// Palette colours, chosen to stay distinguishable for common colour-vision
// deficiencies and readable on light and dark backgrounds; decal patterns
// (aria) add a second cue.
const (
	colorBlue   = "#2f6db5"
	colorOrange = "#d9822b"
	colorPurple = "#8a5cb8"
	colorTeal   = "#1a9a8a"
	colorRed    = "#c8443c"
	colorGrey   = "#7d8590"
	colorGold   = "#b8961e"
)

// SeriesRef places one stored (or computed) series on a chart.
type SeriesRef struct {
	ID    string // stats series id; for a computed series, a new id
	Label string // legend label; empty means the series' own name
	Type  string // Bar, Line or Scatter
	Axis  int    // index of the y-axis
	Color string
	// Sum, when set, makes this a computed series: the sum of two stored
	// series in the years where both are published (stats.Total).
	Sum *[2]string
}

// Axis is a y-axis.
type Axis struct {
	Name    string // usually the unit
	Inverse bool   // ranks: 1 at the top
	Integer bool   // ranks: whole numbers only
}

// Spec defines a chart. The dataset supplies everything else.
type Spec struct {
	ID       string
	Title    string
	Subtitle string // units and basis
	Section  string
	// Summary is one sentence saying what the chart shows, used in the text
	// alternative before the data-derived description.
	Summary string
	Series  []SeriesRef
	Axes    []Axis
	Map     bool // a map of investment projects by state
	Tall    bool // needs a taller box (maps)
}

// Specs returns every chart of the dashboard in page order.
func Specs() []Spec {
	return []Spec{
		{
			ID: "us-goods-trade", Section: SectionTrade,
			Title:    "U.S. goods trade with Korea",
			Subtitle: "USD billion · Census basis, as reported by the United States",
			Summary:  "Bars show U.S. goods exports to and imports from Korea each year; the line shows the published balance.",
			Series: []SeriesRef{
				{ID: "us_goods_exports", Label: "Exports", Type: Bar, Color: colorBlue},
				{ID: "us_goods_imports", Label: "Imports", Type: Bar, Color: colorOrange},
				{ID: "us_goods_balance", Label: "Balance", Type: Line, Color: colorPurple},
			},
			Axes: []Axis{{Name: "USD billion"}},
		},
		{
			ID: "goods-services-trade", Section: SectionTrade,
			Title:    "U.S. trade in goods and services with Korea",
			Subtitle: "USD billion · USTR: Census-basis goods plus BEA services",
			Summary:  "Two-way trade in goods and services as USTR publishes it (Census-basis goods plus BEA services), with exports, imports and the balance where published, and the State Department's lower bounds for 2018 and 2019.",
			Series: []SeriesRef{
				{ID: "us_gs_total", Label: "Two-way trade", Type: Line, Color: colorTeal},
				{ID: "us_gs_total_factsheet", Label: "State Department: more than", Type: Scatter, Color: colorRed},
				{ID: "us_gs_exports", Label: "Exports", Type: Bar, Color: colorBlue},
				{ID: "us_gs_imports", Label: "Imports", Type: Bar, Color: colorOrange},
				{ID: "us_gs_balance", Label: "Balance", Type: Line, Color: colorPurple},
			},
			Axes: []Axis{{Name: "USD billion"}},
		},
		{
			ID: "mirror-goods-balance", Section: SectionTrade,
			Title:    "The goods balance as each side records it",
			Subtitle: "USD billion · U.S. Census basis and Korea customs basis (mirror statistics)",
			Summary:  "The U.S.-reported goods balance with Korea (negative: a U.S. deficit) beside Korea's reported balance with the United States (positive: a Korean surplus). They measure the same flows from opposite ends and are not netted against each other.",
			Series: []SeriesRef{
				{ID: "us_goods_balance", Label: "U.S. balance (U.S. figures)", Type: Line, Color: colorBlue},
				{ID: "kr_goods_balance_with_us", Label: "Korea's balance (Korean figures)", Type: Line, Color: colorRed},
			},
			Axes: []Axis{{Name: "USD billion"}},
		},
		{
			ID: "mirror-goods-total", Section: SectionTrade,
			Title:    "Two-way goods trade as each side records it",
			Subtitle: "USD billion · U.S. Census basis (exports plus imports) and Korea customs basis",
			Summary:  "Total goods trade between the two economies: the sum of U.S.-published exports and imports, beside the total Korea publishes.",
			Series: []SeriesRef{
				{ID: "us_goods_total_computed", Label: "U.S. figures (exports + imports)", Type: Line, Color: colorBlue, Sum: &[2]string{"us_goods_exports", "us_goods_imports"}},
				{ID: "kr_goods_total_with_us", Label: "Korean figures", Type: Line, Color: colorRed},
			},
			Axes: []Axis{{Name: "USD billion"}},
		},
		{
			ID: "services-trade", Section: SectionTrade,
			Title:    "Trade in services",
			Subtitle: "USD billion · U.S. figures (BEA) and Korean figures (Bank of Korea)",
			Summary:  "Services trade as each side reports it: U.S. exports, imports and balance from BEA, and Korea's balance from the Bank of Korea.",
			Series: []SeriesRef{
				{ID: "us_services_exports", Label: "U.S. exports", Type: Bar, Color: colorBlue},
				{ID: "us_services_imports", Label: "U.S. imports", Type: Bar, Color: colorOrange},
				{ID: "us_services_balance", Label: "U.S. balance (U.S. figures)", Type: Line, Color: colorPurple},
				{ID: "kr_services_balance_with_us", Label: "Korea's balance (Korean figures)", Type: Line, Color: colorRed},
			},
			Axes: []Axis{{Name: "USD billion"}},
		},
		{
			ID: "trade-ranks", Section: SectionTrade,
			Title:    "Where each partner ranks",
			Subtitle: "Rank (1 = largest) · as published for each year",
			Summary:  "Korea's rank among U.S. trading partners, export markets, import suppliers and sources of the U.S. goods deficit, and the rank of the United States among Korea's partners.",
			Series: []SeriesRef{
				{ID: "rank_kr_us_goods_partner", Label: "Korea among U.S. goods partners", Type: Line, Color: colorBlue},
				{ID: "rank_kr_us_export_market", Label: "Korea among U.S. export markets", Type: Line, Color: colorTeal},
				{ID: "rank_kr_us_import_supplier", Label: "Korea among U.S. import suppliers", Type: Line, Color: colorOrange},
				{ID: "rank_kr_us_deficit", Label: "Korea among sources of the U.S. deficit", Type: Line, Color: colorGrey},
				{ID: "rank_us_kr_trade_partner", Label: "U.S. among Korea's partners", Type: Line, Color: colorRed},
			},
			Axes: []Axis{{Name: "rank", Inverse: true, Integer: true}},
		},
		{
			ID: "kr-trade-shares", Section: SectionTrade,
			Title:    "Shares of Korea's goods trade",
			Subtitle: "Percent of Korea's total goods trade · Korean figures",
			Summary:  "The share of the United States and of China in Korea's goods trade, in the years published.",
			Series: []SeriesRef{
				{ID: "share_us_in_kr_trade", Label: "United States", Type: Bar, Color: colorBlue},
				{ID: "share_cn_in_kr_trade", Label: "China", Type: Bar, Color: colorGrey},
			},
			Axes: []Axis{{Name: "percent"}},
		},
		{
			ID: "investment-map", Section: SectionInvestment, Map: true, Tall: true,
			Title:    "Korean investment projects by U.S. state",
			Subtitle: "USD million announced · new plants and expansions, counted in the year announced; acquisitions and overlapping totals listed, not added",
			Summary:  "A map of the United States shaded by the amount of announced Korean investment in each state. A state's total adds one company's (or joint venture's) announced new plant or expansion with a stated amount and year; acquisitions, plan or joint-venture totals that overlap another row, sums across companies and undated announcements are listed but not added.",
		},
		{
			ID: "direct-investment", Section: SectionInvestment,
			Title:    "Direct investment positions",
			Subtitle: "USD billion · BEA and Bank of Korea bases, not comparable with each other",
			Summary:  "The stock of direct investment each way, on the bases published; BEA and Bank of Korea figures use different methods and are shown as separate series.",
			Series: []SeriesRef{
				{ID: "kr_di_position_in_us_bea", Label: "Korea in the U.S. (BEA)", Type: Bar, Color: colorRed},
				{ID: "us_di_position_in_kr_bea", Label: "U.S. in Korea (BEA)", Type: Bar, Color: colorBlue},
				{ID: "kr_di_position_in_us_bok", Label: "Korea in the U.S. (Bank of Korea)", Type: Bar, Color: colorOrange},
				{ID: "us_di_position_in_kr_bok", Label: "U.S. in Korea (Bank of Korea)", Type: Bar, Color: colorTeal},
			},
			Axes: []Axis{{Name: "USD billion"}},
		},
		{
			ID: "investment-flows", Section: SectionInvestment,
			Title:    "Direct investment flows",
			Subtitle: "USD billion a year · Korean government statistics",
			Summary:  "Yearly flows of direct investment as Korean agencies report them: Korea's outward investment in the U.S., U.S. investment pledged in Korea, and KITA's counts of new investment.",
			Series: []SeriesRef{
				{ID: "kr_odi_to_us", Label: "Korea's outward investment in the U.S. (MOEF, made)", Type: Bar, Color: colorRed},
				{ID: "kr_odi_to_us_reported", Label: "Korea's outward investment in the U.S. (MOTIE, reported)", Type: Bar, Color: colorPurple},
				{ID: "kr_new_investment_in_us_kita", Label: "Korea's new investment in the U.S. (KITA)", Type: Bar, Color: colorOrange},
				{ID: "us_fdi_pledges_in_kr", Label: "U.S. investment pledged in Korea", Type: Bar, Color: colorBlue},
				{ID: "us_new_investment_in_kr_kita", Label: "U.S. new investment in Korea (KITA)", Type: Bar, Color: colorTeal},
			},
			Axes: []Axis{{Name: "USD billion"}},
		},
		{
			ID: "rok-oda", Section: SectionDevelopment,
			Title:    "Korea's official development assistance",
			Subtitle: "USD billion · net disbursements to 2017, grant-equivalent from 2018: two measures, not comparable",
			Summary:  "Korea's total official development assistance in the years published: net disbursements, the OECD's headline measure until 2017, and the grant-equivalent measure used since 2018, as two separate series.",
			Series: []SeriesRef{
				{ID: "kr_oda_net_flows", Label: "Net disbursements (to 2017)", Type: Bar, Color: colorTeal},
				{ID: "kr_oda_grant_equivalent", Label: "Grant-equivalent (from 2018)", Type: Bar, Color: colorBlue},
			},
			Axes: []Axis{{Name: "USD billion"}},
		},
		{
			ID: "energy-exports", Section: SectionEnergy,
			Title:    "U.S. energy exports to Korea",
			Subtitle: "USD million · energy-related products, USITC",
			Summary:  "The value of U.S. exports of energy-related products to Korea from 2013 to 2017.",
			Series: []SeriesRef{
				{ID: "us_energy_exports_to_kr", Label: "Energy-related products", Type: Bar, Color: colorGold},
			},
			Axes: []Axis{{Name: "USD million"}},
		},
		{
			ID: "energy-volumes", Section: SectionEnergy,
			Title:    "Crude oil and LNG shipped from the U.S. to Korea",
			Subtitle: "Million barrels (crude, Korean import figures) and billion cubic feet (LNG, EIA export figures)",
			Summary:  "Korea's crude oil imports from the United States in million barrels and its imports of U.S. liquefied natural gas in billion cubic feet, on separate axes.",
			Series: []SeriesRef{
				{ID: "kr_crude_imports_from_us", Label: "Crude oil (million barrels)", Type: Bar, Axis: 0, Color: colorGrey},
				{ID: "kr_lng_imports_from_us", Label: "LNG (billion cubic feet)", Type: Line, Axis: 1, Color: colorBlue},
			},
			Axes: []Axis{{Name: "million barrels"}, {Name: "billion cubic feet"}},
		},
	}
}

// SpecByID returns the chart spec with the given id.
func SpecByID(id string) (Spec, bool) {
	for _, s := range Specs() {
		if s.ID == id {
			return s, true
		}
	}
	return Spec{}, false
}

using System.Globalization;
using System.Text;
using TradeSim.Grains.Batches;

namespace TradeSim.Client.Report;

/// <summary>
/// A map of a scenario's network at the coordinates the scenario gives (<c>at: [latitude, longitude]</c>): nodes as
/// circles, border gates as diamonds, and every route that delivered tonnes as a straight line from its origin through
/// its gate to its destination, as wide as its tonnes and coloured by commodity. The projection is equirectangular
/// with longitude scaled by the cosine of the mean latitude, which keeps shapes true at the scale of a border region.
/// The report ships no boundary data, so a border is sketched: a dashed line through the gates two countries share,
/// said to be a sketch in its label. Entities without coordinates are named below the map instead of being guessed.
/// </summary>
internal static class NetworkMap
{
    private const double MinHeight = 380;
    private const double MaxHeight = 900;
    private const double PaddingDegrees = 0.3;
    private const double WidestRoute = 18;
    private const double ThinnestRoute = 1.5;
    private const double LeftMargin = 42;
    private const double RightMargin = 12;
    private const double TitleSize = 15;
    private const double LegendSize = 12;
    private const double LegendTop = 42;
    private const double LegendRowHeight = 24;
    private const double LabelSize = 11;
    private const double LabelLineHeight = 12;
    private const int LabelChars = 28;
    private const double FootLineHeight = 14;
    private const double NodeRadius = 4.5;
    private const double GateHalf = 6.5;

    /// <summary>How far a sketched border runs past its end gates, and half the length of a one-gate border tick.</summary>
    private const double BorderOverhang = 18;

    private const double TickHalf = 22;
    private const string BorderColour = "#6e7781";
    private const string BorderDash = "6 5";
    private const string ScaleColour = "#6e7781";
    private const string Title = "Network map with the tonnes delivered on each route";

    public static string Draw(string id, ScenarioEntities entities, IReadOnlyList<RouteVolume> volumes, double width)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(entities);
        ArgumentNullException.ThrowIfNull(volumes);
        if (!double.IsFinite(width))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "the map's width must be a finite number of pixels");
        }

        width = Math.Max(width, 320);
        var nodes = entities.Nodes.Where(n => Located(n.Latitude, n.Longitude)).ToList();
        var gates = entities.Gates.Where(g => Located(g.Latitude, g.Longitude)).ToList();
        return nodes.Count == 0 && gates.Count == 0
            ? Unmapped(id, width)
            : new Map(entities, volumes, width, nodes, gates).Render(id);
    }

    /// <summary>A position the map can draw: both coordinates given, finite and on the globe.</summary>
    private static bool Located(double? latitude, double? longitude) =>
        latitude is { } lat && longitude is { } lon && double.IsFinite(lat) && double.IsFinite(lon) && Math.Abs(lat) <= 90 && Math.Abs(lon) <= 180;

    private static string Unmapped(string id, double width)
    {
        const string message = "No node or gate of this scenario has coordinates (at: [latitude, longitude]), so there is no map to draw.";
        var lines = ReportText.Wrap(message, width, LegendSize, 3);
        var svg = new SvgBuilder(id, width, 44 + (lines.Count * 16), "Network map", message, "chart map");
        svg.Text(0, 18, "Network map", "c-title");
        svg.TextLines(0, 44, lines, 16, "c-legend");
        return svg.Finish();
    }

    private static string P(double x, double y) => SvgBuilder.N(x) + "," + SvgBuilder.N(y);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Degrees of latitude as "15°N", "3°S", "0°".</summary>
    private static string LatitudeLabel(int degrees) =>
        degrees == 0 ? "0\u00b0" : Inv($"{Math.Abs(degrees)}\u00b0{(degrees > 0 ? 'N' : 'S')}");

    /// <summary>Degrees of longitude as "107°E", "70°W", "0°", "180°".</summary>
    private static string LongitudeLabel(int degrees)
    {
        var d = ((degrees % 360) + 540) % 360 - 180;
        return d is 0 or -180 ? Inv($"{Math.Abs(d)}\u00b0") : Inv($"{Math.Abs(d)}\u00b0{(d > 0 ? 'E' : 'W')}");
    }

    private readonly record struct Point(double X, double Y)
    {
        public static Point operator +(Point a, Point b) => new(a.X + b.X, a.Y + b.Y);

        public static Point operator -(Point a, Point b) => new(a.X - b.X, a.Y - b.Y);

        public static Point operator *(Point a, double k) => new(a.X * k, a.Y * k);

        public double Length => Math.Sqrt((X * X) + (Y * Y));

        /// <summary>The unit vector along this one; null for a vector too short to have a direction.</summary>
        public Point? Unit => Length < 0.5 ? null : this * (1 / Length);
    }

    private readonly record struct Box(double Left, double Top, double Right, double Bottom)
    {
        public double Overlap(Box other) =>
            Math.Max(0, Math.Min(Right, other.Right) - Math.Max(Left, other.Left)) * Math.Max(0, Math.Min(Bottom, other.Bottom) - Math.Max(Top, other.Top));

        public double Area => (Right - Left) * (Bottom - Top);
    }

    /// <summary>One drawn route: its flow, the located entities it passes and its line's width and colour.</summary>
    private sealed record Route(FlowEntity Flow, string Commodity, double Tonnes, string Colour, NodeEntity Origin, GateEntity? Gate, NodeEntity Destination)
    {
        public double Width { get; set; }
    }

    /// <summary>A sketched border between two countries through the located gates they share.</summary>
    private sealed record Border(string First, string Second, IReadOnlyList<GateEntity> Gates)
    {
        public string Name => $"{NetworkSchematic.CountryName(First)} | {NetworkSchematic.CountryName(Second)}";
    }

    private enum LegendKind
    {
        Commodity,
        Scale,
        Node,
        Gate,
        Border,
        Note,
    }

    private sealed record LegendItem(LegendKind Kind, string Text, string Colour, double StrokeWidth, double Width)
    {
        public double X { get; set; }

        public double Row { get; set; }
    }

    private sealed class Map
    {
        private readonly ScenarioEntities _entities;
        private readonly double _width;
        private readonly IReadOnlyList<NodeEntity> _nodes;
        private readonly IReadOnlyList<GateEntity> _gates;
        private readonly List<Route> _routes = [];
        private readonly List<Border> _borders = [];
        private readonly List<LegendItem> _legend = [];
        private readonly IReadOnlyList<string> _foot;
        private readonly double _plotTop;
        private readonly double _plotBottom;
        private readonly double _plotLeft;
        private readonly double _plotRight;
        private readonly double _height;

        /// <summary>Cosine of the mean latitude: a degree of longitude is this many degrees of latitude long.</summary>
        private readonly double _kx;

        /// <summary>Pixels per degree of latitude.</summary>
        private readonly double _scale;

        private readonly double _centreLatitude;
        private readonly double _centreLongitude;
        private readonly int _notDrawn;

        public Map(ScenarioEntities entities, IReadOnlyList<RouteVolume> volumes, double width, IReadOnlyList<NodeEntity> nodes, IReadOnlyList<GateEntity> gates)
        {
            _entities = entities;
            _width = width;
            _nodes = nodes;
            _gates = gates;

            var latitudes = nodes.Select(n => n.Latitude!.Value).Concat(gates.Select(g => g.Latitude!.Value)).ToList();
            var longitudes = nodes.Select(n => n.Longitude!.Value).Concat(gates.Select(g => g.Longitude!.Value)).ToList();
            var south = Math.Max(-90, latitudes.Min() - PaddingDegrees);
            var north = Math.Min(90, latitudes.Max() + PaddingDegrees);
            var west = longitudes.Min() - PaddingDegrees;
            var east = longitudes.Max() + PaddingDegrees;
            _centreLatitude = (south + north) / 2;
            _centreLongitude = (west + east) / 2;
            _kx = Math.Clamp(Math.Cos(_centreLatitude * Math.PI / 180), 0.05, 1);

            _notDrawn = CollectRoutes(volumes);
            CollectBorders();
            var legendBottom = LayOutLegend();

            var unplaced = entities.Nodes.Where(n => !Located(n.Latitude, n.Longitude)).Select(n => n.Name)
                .Concat(entities.Gates.Where(g => !Located(g.Latitude, g.Longitude)).Select(g => g.Name + " (gate)"))
                .ToList();
            var foot = new List<string>();
            if (unplaced.Count > 0)
            {
                foot.Add("Not placed (no coordinates in the scenario): " + string.Join(", ", unplaced) + ".");
            }

            if (_notDrawn > 0)
            {
                foot.Add(Inv($"{_notDrawn} route{(_notDrawn == 1 ? string.Empty : "s")} not drawn: an end or the gate has no coordinates."));
            }

            _foot = foot.Count == 0 ? [] : ReportText.Wrap(string.Join(" ", foot), width, LabelSize, 3);

            // The plot keeps the map's aspect ratio within the height limits; the projection then fills the plot,
            // centred on the entities, so the graticule reaches every edge.
            _plotTop = legendBottom + 10;
            _plotLeft = LeftMargin;
            _plotRight = width - RightMargin;
            var plotWidth = _plotRight - _plotLeft;
            var below = 24 + (_foot.Count * FootLineHeight) + (_foot.Count > 0 ? 6 : 0);
            var spanX = (east - west) * _kx;
            var spanY = north - south;
            var wanted = plotWidth * spanY / spanX;
            _height = Math.Clamp(_plotTop + wanted + below, MinHeight, MaxHeight);
            var plotHeight = Math.Max(120, _height - _plotTop - below);
            _height = _plotTop + plotHeight + below;
            _plotBottom = _plotTop + plotHeight;
            _scale = Math.Min(plotWidth / spanX, plotHeight / spanY);
        }

        private double ViewWest => _centreLongitude - ((_plotRight - _plotLeft) / 2 / (_scale * _kx));

        private double ViewEast => _centreLongitude + ((_plotRight - _plotLeft) / 2 / (_scale * _kx));

        private double ViewSouth => _centreLatitude - ((_plotBottom - _plotTop) / 2 / _scale);

        private double ViewNorth => _centreLatitude + ((_plotBottom - _plotTop) / 2 / _scale);

        private Point At(double latitude, double longitude) => new(
            ((_plotLeft + _plotRight) / 2) + ((longitude - _centreLongitude) * _kx * _scale),
            ((_plotTop + _plotBottom) / 2) - ((latitude - _centreLatitude) * _scale));

        private Point At(NodeEntity node) => At(node.Latitude!.Value, node.Longitude!.Value);

        private Point At(GateEntity gate) => At(gate.Latitude!.Value, gate.Longitude!.Value);

        private Box Plot => new(_plotLeft, _plotTop, _plotRight, _plotBottom);

        /// <summary>Routes with tonnes whose ends (and gate) are located; returns how many were left out for a missing position.</summary>
        private int CollectRoutes(IReadOnlyList<RouteVolume> volumes)
        {
            var notDrawn = 0;
            foreach (var volume in volumes.Where(v => v.Tonnes > 0 && double.IsFinite(v.Tonnes)))
            {
                var flow = _entities.Flows.FirstOrDefault(f => f.Id == volume.Flow);
                var origin = flow is null ? null : _entities.Node(flow.From);
                var destination = flow is null ? null : _entities.Node(flow.To);
                var gate = volume.Gate is null ? null : _entities.Gate(volume.Gate);
                if (flow is null || origin is null || destination is null || (volume.Gate is not null && gate is null))
                {
                    continue;
                }

                if (!Located(origin.Latitude, origin.Longitude) || !Located(destination.Latitude, destination.Longitude)
                    || (gate is not null && !Located(gate.Latitude, gate.Longitude)))
                {
                    notDrawn++;
                    continue;
                }

                var colour = ReportPalette.CategoryColour(Math.Max(0, CommodityIndex(flow.Commodity)));
                _routes.Add(new Route(flow, _entities.CommodityName(flow.Commodity), volume.Tonnes, colour, origin, gate, destination));
            }

            var widest = _routes.Count == 0 ? 1 : _routes.Max(r => r.Tonnes);
            foreach (var route in _routes)
            {
                route.Width = Math.Max(ThinnestRoute, WidestRoute * route.Tonnes / widest);
            }

            return notDrawn;
        }

        private int CommodityIndex(string commodity)
        {
            for (var i = 0; i < _entities.Commodities.Count; i++)
            {
                if (_entities.Commodities[i].Id == commodity)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>One border per pair of countries with located gates in common, in the order they first appear.</summary>
        private void CollectBorders()
        {
            var pairs = new List<(string First, string Second, List<GateEntity> Gates)>();
            foreach (var gate in _gates)
            {
                var countries = gate.Posts.Select(p => p.Country).Distinct(StringComparer.Ordinal).ToList();
                for (var i = 0; i < countries.Count; i++)
                {
                    for (var j = i + 1; j < countries.Count; j++)
                    {
                        var (a, b) = (countries[i], countries[j]);
                        var index = pairs.FindIndex(p => (p.First == a && p.Second == b) || (p.First == b && p.Second == a));
                        if (index < 0)
                        {
                            pairs.Add((a, b, []));
                            index = pairs.Count - 1;
                        }

                        pairs[index].Gates.Add(gate);
                    }
                }
            }

            _borders.AddRange(pairs.Select(p => new Border(p.First, p.Second, p.Gates)));
        }

        /// <summary>Places the legend's items in rows under the title; returns the bottom of the last row.</summary>
        private double LayOutLegend()
        {
            var commodities = _routes.Select(r => r.Flow.Commodity).Distinct(StringComparer.Ordinal)
                .OrderBy(CommodityIndexOrLast)
                .ThenBy(c => c, StringComparer.Ordinal)
                .ToList();
            foreach (var commodity in commodities)
            {
                var name = ReportText.Wrap(_entities.CommodityName(commodity), _width - 40, LegendSize, 1)[0];
                _legend.Add(new LegendItem(LegendKind.Commodity, name, ReportPalette.CategoryColour(Math.Max(0, CommodityIndex(commodity))), 5, 24 + ReportText.TextWidth(name, LegendSize) + 18));
            }

            if (_routes.Count > 0)
            {
                var widest = _routes.Max(r => r.Tonnes);
                var reference = RoundDown(widest);
                var text = ReportText.Number(reference) + " t delivered";
                _legend.Add(new LegendItem(LegendKind.Scale, text, ScaleColour, Math.Max(ThinnestRoute, WidestRoute * reference / widest), 38 + ReportText.TextWidth(text, LegendSize) + 18));
            }
            else
            {
                const string none = "No deliveries to draw";
                _legend.Add(new LegendItem(LegendKind.Note, none, ScaleColour, 0, ReportText.TextWidth(none, LegendSize) + 18));
            }

            _legend.Add(new LegendItem(LegendKind.Node, "node", string.Empty, 0, 16 + ReportText.TextWidth("node", LegendSize) + 18));
            _legend.Add(new LegendItem(LegendKind.Gate, "border gate", string.Empty, 0, 16 + ReportText.TextWidth("border gate", LegendSize) + 18));
            if (_borders.Count > 0)
            {
                const string sketch = "border sketched through its gates (no boundary data)";
                _legend.Add(new LegendItem(LegendKind.Border, sketch, BorderColour, 0, 30 + ReportText.TextWidth(sketch, LegendSize) + 18));
            }

            var x = 0.0;
            var row = LegendTop;
            foreach (var item in _legend)
            {
                if (x > 0 && x + item.Width > _width)
                {
                    x = 0;
                    row += LegendRowHeight;
                }

                item.X = x;
                item.Row = row;
                x += item.Width;
            }

            return row + 10;
        }

        private int CommodityIndexOrLast(string commodity) => CommodityIndex(commodity) is var i and >= 0 ? i : int.MaxValue;

        /// <summary>The largest of 1, 2 or 5 times a power of ten that is not above <paramref name="value"/>.</summary>
        private static double RoundDown(double value)
        {
            var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
            return value >= 5 * power ? 5 * power : value >= 2 * power ? 2 * power : power;
        }

        public string Render(string id)
        {
            var located = _nodes.Count + _gates.Count;
            var description = Inv($"Map of {_nodes.Count} nodes and {_gates.Count} border gates at the coordinates the scenario gives ")
                + Inv($"(equirectangular, longitude scaled by the cosine of {SvgBuilder.N(_centreLatitude)} degrees latitude), ")
                + Inv($"with {_routes.Count} routes drawn as straight lines from origin through gate to destination, as wide as the tonnes delivered and coloured by commodity. ")
                + (_borders.Count > 0 ? "Borders are sketched as dashed lines through the gates two countries share: the report has no boundary data. " : string.Empty)
                + (_entities.Nodes.Count + _entities.Gates.Count > located ? "Entities without coordinates are listed below the map." : string.Empty);
            var svg = new SvgBuilder(id, _width, _height, Title, description.TrimEnd(), "chart map");

            // Bold text runs wider than the estimate for regular text: a tenth is kept free.
            svg.Text(0, 18, ReportText.Wrap(Title, _width * 0.9, TitleSize, 1)[0], "c-title");
            DrawLegend(svg);
            var obstacles = new List<Box>();
            DrawGraticule(svg);
            DrawBorders(svg, out var borderLines);
            DrawRoutes(svg);

            foreach (var gate in _gates)
            {
                var p = At(gate);
                svg.Path(Diamond(p, GateHalf), "n-gate", tooltip: GateTooltip(gate));
                obstacles.Add(new Box(p.X - GateHalf, p.Y - GateHalf, p.X + GateHalf, p.Y + GateHalf));
            }

            foreach (var node in _nodes)
            {
                var p = At(node);
                svg.Circle(p.X, p.Y, NodeRadius, "n-node", tooltip: $"{node.Name} ({node.Kind}, {NetworkSchematic.CountryName(node.Country)})");
                obstacles.Add(new Box(p.X - NodeRadius, p.Y - NodeRadius, p.X + NodeRadius, p.Y + NodeRadius));
            }

            // Labels last, each where it overlaps least with the markers and the labels already placed.
            foreach (var gate in _gates)
            {
                PlaceLabel(svg, obstacles, [At(gate)], GateHalf, NameLines(gate.Name), "n-label");
            }

            foreach (var node in _nodes)
            {
                PlaceLabel(svg, obstacles, [At(node)], NodeRadius, NameLines(node.Name), "n-label");
            }

            // A border's label goes by its northern end if there is room, else by its other end or between two gates.
            for (var i = 0; i < _borders.Count; i++)
            {
                var line = borderLines[i];
                var ends = line[0].Y <= line[^1].Y ? new[] { line[0], line[^1] } : [line[^1], line[0]];
                var between = line.Zip(line.Skip(1), (a, b) => new Point((a.X + b.X) / 2, (a.Y + b.Y) / 2));
                var lines = new[] { _borders[i].Name, _borders[i].Gates.Count == 1 ? "(border sketched at its gate)" : "(border sketched through its gates)" };
                PlaceLabel(svg, obstacles, [.. ends, .. between], 0, lines, "n-corridor-label");
            }

            if (_foot.Count > 0)
            {
                svg.TextLines(0, _plotBottom + 35, _foot, FootLineHeight, "n-subtitle");
            }

            return svg.Finish();
        }

        private static IReadOnlyList<string> NameLines(string name) => ReportText.Wrap(name, LabelChars * LabelSize * 0.58, LabelSize, 2);

        private string GateTooltip(GateEntity gate)
        {
            var posts = string.Join(" and ", gate.Posts.Select(p => $"{p.Name} ({NetworkSchematic.CountryName(p.Country)})"));
            var tonnes = _routes.Where(r => r.Gate?.Id == gate.Id).Sum(r => r.Tonnes);
            var through = tonnes > 0 ? ReportText.Number(tonnes, 0) + " t delivered through it" : "no deliveries drawn through it";
            return $"{gate.Name}: {gate.GateClass} gate{(posts.Length > 0 ? ", posts " + posts : string.Empty)}; {through}";
        }

        private void DrawLegend(SvgBuilder svg)
        {
            foreach (var item in _legend)
            {
                var x = item.X;
                var y = item.Row;
                switch (item.Kind)
                {
                    case LegendKind.Commodity:
                        svg.Path($"M{P(x, y - 4)} L{P(x + 18, y - 4)}", "n-flow", stroke: item.Colour, strokeWidth: item.StrokeWidth);
                        svg.Text(x + 24, y, item.Text, "c-legend");
                        break;
                    case LegendKind.Scale:
                        svg.Path($"M{P(x, y - 4)} L{P(x + 32, y - 4)}", "n-flow", stroke: item.Colour, strokeWidth: item.StrokeWidth);
                        svg.Text(x + 38, y, item.Text, "c-legend");
                        break;
                    case LegendKind.Node:
                        svg.Circle(x + 6, y - 4, NodeRadius, "n-node");
                        svg.Text(x + 16, y, item.Text, "c-legend");
                        break;
                    case LegendKind.Gate:
                        svg.Path(Diamond(new Point(x + 6, y - 4), GateHalf - 1), "n-gate");
                        svg.Text(x + 16, y, item.Text, "c-legend");
                        break;
                    case LegendKind.Border:
                        svg.Path($"M{P(x, y - 4)} L{P(x + 24, y - 4)}", "c-line", stroke: item.Colour, fill: "none", dash: BorderDash);
                        svg.Text(x + 30, y, item.Text, "c-legend");
                        break;
                    default:
                        svg.Text(x, y, item.Text, "c-legend");
                        break;
                }
            }
        }

        /// <summary>Parallels and meridians every degree (two beyond 8 degrees, more for larger areas), labelled outside the plot.</summary>
        private void DrawGraticule(SvgBuilder svg)
        {
            var extent = Math.Max(ViewNorth - ViewSouth, ViewEast - ViewWest);
            var step = extent <= 8 ? 1 : extent <= 24 ? 2 : extent <= 60 ? 5 : extent <= 120 ? 10 : 30;
            var data = new StringBuilder();
            var labels = new List<(double X, double Y, string Text, string Anchor)>();
            for (var k = (int)Math.Ceiling(ViewSouth / step); k * step <= ViewNorth; k++)
            {
                var y = At(k * step, _centreLongitude).Y;
                data.Append(CultureInfo.InvariantCulture, $"M{P(_plotLeft, y)} L{P(_plotRight, y)} ");
                if (y >= _plotTop + 8)
                {
                    labels.Add((_plotLeft - 5, y + 4, LatitudeLabel(k * step), "end"));
                }
            }

            for (var k = (int)Math.Ceiling(ViewWest / step); k * step <= ViewEast; k++)
            {
                var x = At(_centreLatitude, k * step).X;
                data.Append(CultureInfo.InvariantCulture, $"M{P(x, _plotTop)} L{P(x, _plotBottom)} ");
                labels.Add((x, _plotBottom + 15, LongitudeLabel(k * step), "middle"));
            }

            svg.Rect(_plotLeft, _plotTop, _plotRight - _plotLeft, _plotBottom - _plotTop, "c-grid", fill: "none");
            if (data.Length > 0)
            {
                svg.Path(data.ToString().TrimEnd(), "c-grid", fill: "none");
            }

            foreach (var (x, y, text, anchor) in labels)
            {
                svg.Text(x, y, text, "c-tick", anchor);
            }
        }

        /// <summary>
        /// A dashed line per pair of countries through their shared gates, ordered along the line's main axis and run a
        /// little past the end gates; one gate gets a short tick across the line between the two countries' nodes.
        /// </summary>
        private void DrawBorders(SvgBuilder svg, out List<Point[]> lines)
        {
            lines = [];
            foreach (var border in _borders)
            {
                var points = BorderPoints(border);
                var data = string.Join(" ", points.Select((p, i) => (i == 0 ? "M" : "L") + P(p.X, p.Y)));
                var tooltip = $"{border.Name} (border sketched through {(border.Gates.Count == 1 ? "its gate" : "its gates")}: "
                    + string.Join(", ", border.Gates.Select(g => g.Name)) + ")";
                svg.Path(data, "c-line", stroke: BorderColour, fill: "none", tooltip: tooltip, dash: BorderDash);
                lines.Add([.. points]);
            }
        }

        private List<Point> BorderPoints(Border border)
        {
            var gates = border.Gates;
            List<Point> points;
            if (gates.Count == 1)
            {
                var p = At(gates[0]);
                var across = (Centroid(border.Second) is { } b && Centroid(border.First) is { } a ? (b - a).Unit : null) is { } u
                    ? new Point(-u.Y, u.X)
                    : new Point(0, 1);
                points = [p - (across * TickHalf), p + (across * TickHalf)];
            }
            else
            {
                var latitudeSpread = gates.Max(g => g.Latitude!.Value) - gates.Min(g => g.Latitude!.Value);
                var longitudeSpread = (gates.Max(g => g.Longitude!.Value) - gates.Min(g => g.Longitude!.Value)) * _kx;
                var ordered = latitudeSpread > longitudeSpread
                    ? gates.OrderByDescending(g => g.Latitude!.Value).ThenBy(g => g.Longitude!.Value).ThenBy(g => g.Id, StringComparer.Ordinal)
                    : gates.OrderBy(g => g.Longitude!.Value).ThenByDescending(g => g.Latitude!.Value).ThenBy(g => g.Id, StringComparer.Ordinal);
                points = [.. ordered.Select(At)];
                var fallback = latitudeSpread > longitudeSpread ? new Point(0, 1) : new Point(1, 0);
                var start = (points[0] - points[1]).Unit ?? (fallback * -1);
                var end = (points[^1] - points[^2]).Unit ?? fallback;
                points.Insert(0, points[0] + (start * BorderOverhang));
                points.Add(points[^1] + (end * BorderOverhang));
            }

            // The overhang stays inside the plot.
            return [.. points.Select(p => new Point(Math.Clamp(p.X, _plotLeft, _plotRight), Math.Clamp(p.Y, _plotTop, _plotBottom)))];
        }

        /// <summary>The mean position of a country's located nodes; null when it has none.</summary>
        private Point? Centroid(string country)
        {
            var points = _nodes.Where(n => n.Country == country).Select(At).ToList();
            return points.Count == 0 ? null : new Point(points.Average(p => p.X), points.Average(p => p.Y));
        }

        /// <summary>Straight lines origin, gate, destination, widest first so thin ones stay visible, each with an arrowhead.</summary>
        private void DrawRoutes(SvgBuilder svg)
        {
            foreach (var route in _routes.OrderByDescending(r => r.Width))
            {
                var points = new List<Point> { At(route.Origin) };
                if (route.Gate is { } gate)
                {
                    points.Add(At(gate));
                }

                var destination = At(route.Destination);
                var previous = points[^1];
                var arrowLength = 7 + (route.Width * 0.5);
                var direction = (destination - previous).Unit;
                Point? tip = null;
                if (direction is { } u && (destination - previous).Length > NodeRadius + arrowLength + 4)
                {
                    tip = destination - (u * (NodeRadius + 1));

                    // The line stops under the arrowhead, so a wide line does not show past the arrow's sides.
                    points.Add(tip.Value - (u * (arrowLength * 0.6)));
                }
                else
                {
                    points.Add(destination);
                }

                var via = route.Gate is null ? "without crossing a gate" : "via " + route.Gate.Name;
                var tooltip = $"{route.Flow.Id}: {route.Commodity}, {ReportText.Number(route.Tonnes, 0)} t {via} ({route.Origin.Name} to {route.Destination.Name})";
                var data = string.Join(" ", points.Select((p, i) => (i == 0 ? "M" : "L") + P(p.X, p.Y)));
                svg.Path(data, "n-flow", stroke: route.Colour, strokeWidth: route.Width, tooltip: tooltip);
                if (tip is { } t && direction is { } d)
                {
                    var half = (route.Width / 2) + 3;
                    var side = new Point(-d.Y, d.X) * half;
                    var back = t - (d * arrowLength);
                    svg.Path($"M{P((back + side).X, (back + side).Y)} L{P(t.X, t.Y)} L{P((back - side).X, (back - side).Y)} Z", "n-arrow", fill: route.Colour);
                }
            }
        }

        /// <summary>
        /// Draws a label next to one of <paramref name="anchors"/>: right, left, above, below or diagonally off it,
        /// wherever it overlaps least with <paramref name="obstacles"/> and stays inside the plot (first such wins).
        /// </summary>
        private void PlaceLabel(SvgBuilder svg, List<Box> obstacles, IReadOnlyList<Point> anchors, double marker, IReadOnlyList<string> lines, string cssClass)
        {
            var textWidth = lines.Max(l => ReportText.TextWidth(l, LabelSize));
            var block = (lines.Count - 1) * LabelLineHeight;
            var gap = marker + 3;
            (double X, double Y, string Anchor, Box Box)? best = null;
            var bestScore = double.MaxValue;
            foreach (var a in anchors)
            {
                List<(double X, double Baseline, string Anchor)> candidates =
                [
                    (a.X + gap, a.Y + 4 - (block / 2), "start"),
                    (a.X - gap, a.Y + 4 - (block / 2), "end"),
                    (a.X, a.Y - gap - 3 - block, "middle"),
                    (a.X, a.Y + gap + 9, "middle"),
                    (a.X + gap - 2, a.Y - gap - block, "start"),
                    (a.X + gap - 2, a.Y + gap + 8, "start"),
                    (a.X - gap + 2, a.Y - gap - block, "end"),
                    (a.X - gap + 2, a.Y + gap + 8, "end"),
                ];

                // In a crowded spot, a line or two further out.
                for (var shift = LabelLineHeight; shift <= 2 * LabelLineHeight; shift += LabelLineHeight)
                {
                    candidates.Add((a.X + gap, a.Y + 4 - (block / 2) - shift, "start"));
                    candidates.Add((a.X + gap, a.Y + 4 - (block / 2) + shift, "start"));
                    candidates.Add((a.X - gap, a.Y + 4 - (block / 2) - shift, "end"));
                    candidates.Add((a.X - gap, a.Y + 4 - (block / 2) + shift, "end"));
                    candidates.Add((a.X, a.Y - gap - 3 - block - shift, "middle"));
                    candidates.Add((a.X, a.Y + gap + 9 + shift, "middle"));
                }

                foreach (var (x, baseline, anchor) in candidates)
                {
                    var left = anchor switch
                    {
                        "start" => x,
                        "end" => x - textWidth,
                        _ => x - (textWidth / 2),
                    };
                    var box = new Box(left, baseline - 9, left + textWidth, baseline + block + 3);
                    var outside = box.Area - box.Overlap(Plot);
                    var score = (outside * 10) + obstacles.Sum(o => o.Overlap(box));
                    if (score < bestScore)
                    {
                        bestScore = score;
                        best = (x, baseline, anchor, box);
                    }
                }
            }

            if (best is not { } chosen)
            {
                return;
            }

            obstacles.Add(chosen.Box);
            if (lines.Count == 1)
            {
                svg.Text(chosen.X, chosen.Y, lines[0], cssClass, chosen.Anchor);
            }
            else
            {
                svg.TextLines(chosen.X, chosen.Y, lines, LabelLineHeight, cssClass, chosen.Anchor);
            }
        }

        private static string Diamond(Point c, double half) =>
            $"M{P(c.X, c.Y - half)} L{P(c.X + half, c.Y)} L{P(c.X, c.Y + half)} L{P(c.X - half, c.Y)} Z";
    }
}

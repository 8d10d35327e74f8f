using System.Globalization;
using TradeSim.Grains.Batches;

namespace TradeSim.Client.Report;

/// <summary>Tonnes of one flow delivered through one gate (null: delivered without crossing a gate).</summary>
internal sealed record RouteVolume(string Flow, string? Gate, double Tonnes);

/// <summary>
/// A schematic of the network with its flow volumes, in three columns: the home country's nodes on the left, the
/// gates in the middle grouped by corridor, the neighbours' nodes on the right. Every route is a band from its
/// origin through its gate to its destination, as wide as its tonnes, coloured by commodity, with an arrowhead at
/// the destination. Only nodes that send or receive a drawn flow are shown; every gate is, so a closed or unused
/// gate is visible as one without bands.
/// </summary>
internal static class NetworkSchematic
{
    private const double NodeWidth = 230;
    private const double GateWidth = 220;
    private const double WidestBand = 22;
    private const double ThinnestBand = 1.5;

    /// <summary>Vertical room per band where it meets a box: enough for the band and for its label to clear the next one.</summary>
    private const double MinSlot = 14;

    private const double BoxPadding = 8;
    private const double ArrowLength = 9;
    private const double TitleLineHeight = 15;

    private static readonly Dictionary<string, string> CountryNames = new(StringComparer.Ordinal)
    {
        ["vn"] = "Viet Nam",
        ["la"] = "Lao PDR",
        ["cn"] = "China",
        ["kh"] = "Cambodia",
        ["th"] = "Thailand",
        ["mm"] = "Myanmar",
    };

    public static string CountryName(string code) => CountryNames.TryGetValue(code, out var name) ? name : code.ToUpperInvariant();

    /// <summary>
    /// The country every gate belongs to (the one with a post at most gates; ties go to the one with most nodes):
    /// Viet Nam for the bundled scenarios. Its nodes make up the left column.
    /// </summary>
    public static string HomeCountry(ScenarioEntities definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Gates.SelectMany(g => g.Posts.Select(p => p.Country).Distinct(StringComparer.Ordinal))
            .Concat(definition.Nodes.Select(n => n.Country))
            .GroupBy(c => c, StringComparer.Ordinal)
            .Select(g => (Country: g.Key, Gates: definition.Gates.Count(gate => gate.Posts.Any(p => p.Country == g.Key)), Nodes: definition.Nodes.Count(n => n.Country == g.Key)))
            .OrderByDescending(c => c.Gates)
            .ThenByDescending(c => c.Nodes)
            .ThenBy(c => c.Country, StringComparer.Ordinal)
            .Select(c => c.Country)
            .FirstOrDefault() ?? string.Empty;
    }

    public static string Draw(string id, string scenarioName, ScenarioEntities definition, IReadOnlyList<RouteVolume> volumes, double width)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(volumes);
        var layout = new Layout(scenarioName, definition, volumes, width);
        return layout.Render(id);
    }

    private enum Column
    {
        Home,
        Gates,
        Abroad,
    }

    /// <summary>A node or gate drawn as a box, with the bands that meet each of its sides.</summary>
    private sealed class Box(string title, string subtitle, Column column, double width, string? country = null)
    {
        public string Title { get; } = title;

        /// <summary>The node's country code; null for a gate.</summary>
        public string? Country { get; } = country;

        public string Subtitle { get; } = subtitle;

        public Column Column { get; } = column;

        public double Width { get; } = width;

        public double X { get; set; }

        public double Y { get; set; }

        public double Height { get; set; }

        public List<Port> Left { get; } = [];

        public List<Port> Right { get; } = [];

        public double CentreY => Y + (Height / 2);

        public IEnumerable<Port> Ports => Left.Concat(Right);
    }

    /// <summary>Where one band meets one side of a box: <see cref="Y"/> is the band's centre there.</summary>
    private sealed class Port(Route route, Box other, int side)
    {
        public Route Route { get; } = route;

        /// <summary>The box at the band's other end: ports are ordered by it so that bands cross as little as possible.</summary>
        public Box Other { get; } = other;

        /// <summary>+1 on a box's right side, -1 on its left: the direction the band leaves the box in.</summary>
        public int Side { get; } = side;

        public double Y { get; set; }

        public double Slot => Math.Max(Route.Width, MinSlot) + 2;
    }

    private sealed record Route(FlowEntity Flow, double Tonnes, double Width, string Colour, Box Origin, Box? Gate, Box Destination)
    {
        public List<Port> Ports { get; } = [];
    }

    private sealed class Layout
    {
        private readonly ScenarioEntities _definition;
        private readonly string _scenarioName;
        private readonly double _width;
        private readonly string _home;
        private readonly Dictionary<string, Box> _nodes = new(StringComparer.Ordinal);
        private readonly List<(string Corridor, List<Box> Gates)> _corridors = [];
        private readonly List<Route> _routes = [];
        private readonly List<(string Name, string Colour)> _legend = [];
        private double _height;
        private double _contentTop;

        public Layout(string scenarioName, ScenarioEntities definition, IReadOnlyList<RouteVolume> volumes, double width)
        {
            _definition = definition;
            _scenarioName = scenarioName;
            _width = width;
            _home = HomeCountry(definition);
            var gates = new Dictionary<string, Box>(StringComparer.Ordinal);
            var gateTonnes = volumes.Where(v => v.Gate is not null).GroupBy(v => v.Gate!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(v => v.Tonnes), StringComparer.Ordinal);
            foreach (var gate in definition.Gates)
            {
                var tonnes = gateTonnes.GetValueOrDefault(gate.Id);
                var box = new Box(gate.Name, tonnes > 0 ? ReportText.Number(tonnes, 0) + " t delivered through it" : "no deliveries", Column.Gates, GateWidth);
                gates[gate.Id] = box;
                var corridor = _corridors.FindIndex(c => c.Corridor == gate.Corridor);
                if (corridor < 0)
                {
                    _corridors.Add((gate.Corridor, []));
                    corridor = _corridors.Count - 1;
                }

                _corridors[corridor].Gates.Add(box);
            }

            var flows = definition.Flows.ToDictionary(f => f.Id, StringComparer.Ordinal);
            var drawn = volumes.Where(v => v.Tonnes > 0 && double.IsFinite(v.Tonnes) && flows.ContainsKey(v.Flow) && (v.Gate is null || gates.ContainsKey(v.Gate))).ToList();
            var widest = drawn.Count == 0 ? 1 : drawn.Max(v => v.Tonnes);
            var commodities = definition.Commodities.Select(c => c.Id).ToList();
            foreach (var volume in drawn)
            {
                var flow = flows[volume.Flow];
                var origin = NodeBox(flow.From);
                var destination = NodeBox(flow.To);
                if (origin is null || destination is null)
                {
                    continue;
                }

                var colour = ReportPalette.CategoryColour(Math.Max(0, commodities.IndexOf(flow.Commodity)));
                var commodity = definition.Commodities.FirstOrDefault(c => c.Id == flow.Commodity)?.Name ?? flow.Commodity;
                if (!_legend.Any(l => l.Name == commodity))
                {
                    _legend.Add((commodity, colour));
                }

                var bandWidth = Math.Max(ThinnestBand, WidestBand * volume.Tonnes / widest);
                _routes.Add(new Route(flow, volume.Tonnes, bandWidth, colour, origin, volume.Gate is null ? null : gates[volume.Gate], destination));
            }

            Arrange();
        }

        private Box? NodeBox(string nodeId)
        {
            if (_nodes.TryGetValue(nodeId, out var box))
            {
                return box;
            }

            var node = _definition.Nodes.FirstOrDefault(n => n.Id == nodeId);
            if (node is null)
            {
                return null;
            }

            var column = node.Country == _home ? Column.Home : Column.Abroad;
            box = new Box(node.Name, $"{node.Kind} \u00b7 {CountryName(node.Country)}", column, NodeWidth, node.Country);
            _nodes[nodeId] = box;
            return box;
        }

        /// <summary>Attaches every band to the box sides it meets, sizes the boxes, then places columns and ports.</summary>
        private void Arrange()
        {
            foreach (var route in _routes)
            {
                if (route.Gate is { } gate)
                {
                    Connect(route, route.Origin, gate);
                    Connect(route, gate, route.Destination);
                }
                else
                {
                    Connect(route, route.Origin, route.Destination);
                }
            }

            foreach (var box in _nodes.Values.Concat(_corridors.SelectMany(c => c.Gates)))
            {
                // Room for the title (one or two lines) and the subtitle, and for the bands that meet the box.
                var minimum = (TitleLines(box).Count * TitleLineHeight) + 13 + (2 * BoxPadding) + (box.Column == Column.Gates ? 4 : 0);
                box.Height = Math.Max(minimum, (2 * BoxPadding) + Math.Max(box.Left.Sum(p => p.Slot), box.Right.Sum(p => p.Slot)));
            }

            var legendBottom = LegendRows() * 18;
            _contentTop = legendBottom + 40;

            // Gates first: the nodes are then ordered by the gates they use, which keeps bands from crossing.
            var y = 0.0;
            foreach (var (_, gates) in _corridors)
            {
                y += 18;
                foreach (var gate in gates)
                {
                    gate.X = (_width - GateWidth) / 2;
                    gate.Y = y;
                    y += gate.Height + 10;
                }

                y += 16;
            }

            var gatesHeight = y - 16;
            var homeHeight = Stack(Column.Home, 0);
            var abroadHeight = Stack(Column.Abroad, _width - NodeWidth);
            var contentHeight = Math.Max(gatesHeight, Math.Max(homeHeight, abroadHeight));

            // Centre each column against the tallest one, then move everything below the legend and headers.
            Shift(_corridors.SelectMany(c => c.Gates), _contentTop + ((contentHeight - gatesHeight) / 2));
            Shift(_nodes.Values.Where(b => b.Column == Column.Home), _contentTop + ((contentHeight - homeHeight) / 2));
            Shift(_nodes.Values.Where(b => b.Column == Column.Abroad), _contentTop + ((contentHeight - abroadHeight) / 2));
            _height = _contentTop + contentHeight + 12;

            foreach (var box in _nodes.Values.Concat(_corridors.SelectMany(c => c.Gates)))
            {
                PlacePorts(box.Left, box);
                PlacePorts(box.Right, box);
            }
        }

        /// <summary>A band from <paramref name="from"/> to <paramref name="to"/> leaves and enters the sides that face each other.</summary>
        private static void Connect(Route route, Box from, Box to)
        {
            // Boxes in one column (a direct route at home, say) face outwards: the band loops through the gap to the right.
            var fromSide = from.Column == to.Column ? 1 : Math.Sign(to.Column - from.Column);
            var toSide = from.Column == to.Column ? 1 : -fromSide;
            var start = new Port(route, to, fromSide);
            var end = new Port(route, from, toSide);
            (fromSide > 0 ? from.Right : from.Left).Add(start);
            (toSide > 0 ? to.Right : to.Left).Add(end);
            route.Ports.Add(start);
            route.Ports.Add(end);
        }

        /// <summary>Stacks a column's nodes in the order of the mean height of the gates they use; returns the column's height.</summary>
        private double Stack(Column column, double x)
        {
            var boxes = _nodes.Values.Where(b => b.Column == column)
                .OrderBy(b => b.Ports.Where(p => p.Other.Column == Column.Gates).Select(p => p.Other.CentreY).DefaultIfEmpty(double.MaxValue).Average())
                .ToList();
            var y = 0.0;
            foreach (var box in boxes)
            {
                box.X = x;
                box.Y = y;
                y += box.Height + 12;
            }

            return Math.Max(0, y - 12);
        }

        private static void Shift(IEnumerable<Box> boxes, double dy)
        {
            foreach (var box in boxes)
            {
                box.Y += dy;
            }
        }

        /// <summary>Spreads a side's bands over the middle of the box, ordered by the height of their other ends.</summary>
        private static void PlacePorts(List<Port> ports, Box box)
        {
            ports.Sort((a, b) => a.Other.CentreY.CompareTo(b.Other.CentreY));
            var y = box.Y + ((box.Height - ports.Sum(p => p.Slot)) / 2);
            foreach (var port in ports)
            {
                port.Y = y + (port.Slot / 2);
                y += port.Slot;
            }
        }

        private int LegendRows()
        {
            var rows = 1;
            var x = 0.0;
            foreach (var (name, _) in _legend)
            {
                var width = LegendItemWidth(name);
                if (x > 0 && x + width > _width)
                {
                    rows++;
                    x = 0;
                }

                x += width;
            }

            return rows;
        }

        private static double LegendItemWidth(string name) => 22 + ReportText.TextWidth(name, 12) + 18;

        public string Render(string id)
        {
            var foreign = _definition.Nodes.Select(n => n.Country).Distinct(StringComparer.Ordinal)
                .Where(c => _nodes.Values.Any(b => b.Column == Column.Abroad && b.Country == c))
                .Select(CountryName)
                .ToList();
            var svg = new SvgBuilder(
                id,
                _width,
                _height,
                $"Network of {_scenarioName} with its flows",
                $"Schematic: {CountryName(_home)} nodes on the left, border gates by corridor in the middle, {string.Join(" and ", foreign)} nodes on the right; "
                    + $"{_routes.Count} routes drawn as bands as wide as the tonnes delivered.",
                "chart network");

            // Legend: one swatch per commodity.
            var x = 0.0;
            var row = 14.0;
            foreach (var (name, colour) in _legend)
            {
                var width = LegendItemWidth(name);
                if (x > 0 && x + width > _width)
                {
                    x = 0;
                    row += 18;
                }

                svg.Rect(x, row - 10, 16, 10, "n-swatch", colour, radius: 2);
                svg.Text(x + 22, row, name, "c-legend");
                x += width;
            }

            var headerY = _contentTop - 14;
            svg.Text(NodeWidth / 2, headerY, CountryName(_home), "n-column", "middle");
            svg.Text(_width / 2, headerY, "Border gates by corridor", "n-column", "middle");
            svg.Text(_width - (NodeWidth / 2), headerY, string.Join(" \u00b7 ", foreign), "n-column", "middle");

            foreach (var (corridor, gates) in _corridors)
            {
                var top = gates[0].Y - 18;
                var bottom = gates[^1].Y + gates[^1].Height + 6;
                svg.Rect(gates[0].X - 10, top, GateWidth + 20, bottom - top, "n-corridor", radius: 6);
                svg.Text(gates[0].X - 4, top + 13, corridor, "n-corridor-label");
            }

            // Bands under the boxes (a band runs straight through its gate, hidden by the gate's box).
            foreach (var route in _routes.OrderByDescending(r => r.Width))
            {
                svg.Path(BandPath(route), "n-flow", stroke: route.Colour, strokeWidth: route.Width, tooltip: Tooltip(route));
                var tip = route.Ports[^1];
                var tipX = X(tip);
                var half = (route.Width / 2) + 3;
                svg.Path(
                    string.Create(CultureInfo.InvariantCulture, $"M{SvgBuilder.N(tipX + (tip.Side * ArrowLength))},{SvgBuilder.N(tip.Y - half)} L{SvgBuilder.N(tipX)},{SvgBuilder.N(tip.Y)} L{SvgBuilder.N(tipX + (tip.Side * ArrowLength))},{SvgBuilder.N(tip.Y + half)} Z"),
                    "n-arrow",
                    fill: route.Colour);
            }

            foreach (var box in _nodes.Values.Concat(_corridors.SelectMany(c => c.Gates)))
            {
                svg.Rect(box.X, box.Y, box.Width, box.Height, box.Column == Column.Gates ? "n-gate" : "n-node", radius: 4);
                var lines = TitleLines(box);
                var textTop = box.CentreY - (((lines.Count * TitleLineHeight) + 13) / 2) + 12;
                svg.TextLines(box.X + (box.Width / 2), textTop, lines, TitleLineHeight, "n-title", "middle");
                svg.Text(box.X + (box.Width / 2), textTop + (lines.Count * TitleLineHeight), box.Subtitle, "n-subtitle", "middle");
            }

            // One label per route, where it meets the home column (else at its origin), clear of the arrowheads.
            foreach (var route in _routes)
            {
                var port = route.Ports.FirstOrDefault(p => Owner(p).Column == Column.Home && p.Other.Column != Column.Home) ?? route.Ports[0];
                var labelX = X(port) + (port.Side * (ArrowLength + 5));

                // A label never runs into the next column: the gap between columns bounds it.
                var room = ((_width - GateWidth) / 2) - NodeWidth - ArrowLength - 10;
                var label = ReportText.Wrap($"{route.Flow.Id}: {ReportText.Number(route.Tonnes, 0)} t", room, 11, 1)[0];
                svg.Text(labelX, port.Y + 4, label, "n-label", port.Side > 0 ? "start" : "end");
            }

            return svg.Finish();
        }

        /// <summary>A box's title in bold, on at most two lines (bold runs wider than the width estimate: a tenth is kept free).</summary>
        private static IReadOnlyList<string> TitleLines(Box box) => ReportText.Wrap(box.Title, (box.Width - 16) * 0.9, 12.5, 2);

        private Box Owner(Port port) => port.Route.Ports.IndexOf(port) switch
        {
            0 => port.Route.Origin,
            var i when i == port.Route.Ports.Count - 1 => port.Route.Destination,
            _ => port.Route.Gate!,
        };

        private double X(Port port)
        {
            var box = Owner(port);
            return port.Side > 0 ? box.X + box.Width : box.X;
        }

        /// <summary>Curves between boxes leave and enter horizontally; the last curve stops where the arrowhead starts.</summary>
        private string BandPath(Route route)
        {
            var parts = new List<string>();
            for (var i = 0; i < route.Ports.Count; i += 2)
            {
                var from = route.Ports[i];
                var to = route.Ports[i + 1];
                var x0 = X(from);
                var x1 = X(to) + (i + 2 == route.Ports.Count ? to.Side * ArrowLength : 0);
                var reach = Math.Max(40, Math.Abs(x1 - x0) * 0.45);
                parts.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{(i == 0 ? "M" : "L")}{SvgBuilder.N(x0)},{SvgBuilder.N(from.Y)} C{SvgBuilder.N(x0 + (from.Side * reach))},{SvgBuilder.N(from.Y)} {SvgBuilder.N(x1 + (to.Side * reach))},{SvgBuilder.N(to.Y)} {SvgBuilder.N(x1)},{SvgBuilder.N(to.Y)}"));
            }

            return string.Join(' ', parts);
        }

        private string Tooltip(Route route)
        {
            var via = route.Gate is null ? "without crossing a gate" : "through " + route.Gate.Title;
            var commodity = _definition.Commodities.FirstOrDefault(c => c.Id == route.Flow.Commodity)?.Name ?? route.Flow.Commodity;
            return $"{route.Flow.Id} ({commodity}): {route.Origin.Title} to {route.Destination.Title} {via}, {ReportText.Number(route.Tonnes, 0)} t";
        }
    }
}

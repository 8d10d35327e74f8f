using System.Globalization;

namespace TradeSim.Kernel.Scenarios;

/// <summary>The outcome of parsing scenario text: a definition, or the located errors that prevent one.</summary>
public sealed record ScenarioParseResult(ScenarioDefinition? Definition, IReadOnlyList<ScenarioError> Errors)
{
    public bool Succeeded => Definition is not null && Errors.Count == 0;

    /// <summary>
    /// The range the parser accepts for each number it read, keyed by where the number is written: the one statement of
    /// what a value may be, so a caller that varies values (`tradesim sensitivity`) keeps them valid without a second copy.
    /// </summary>
    public IReadOnlyDictionary<SourceLocation, NumberRange> NumberRanges { get; init; } = new Dictionary<SourceLocation, NumberRange>();
}

/// <summary>The values a scenario number may take: from <paramref name="Min"/> to <paramref name="Max"/>, whole numbers only when <paramref name="Whole"/>.</summary>
public readonly record struct NumberRange(double Min, double Max, bool Whole);

/// <summary>
/// Turns scenario text into a <see cref="ScenarioDefinition"/>. Pure: it is handed the text of every layer
/// (the base file first, each file that extends it after), merges them and validates the result. It never
/// reads files; resolving <c>extends</c> to texts is the caller's job.
/// </summary>
public static class ScenarioParser
{
    private static readonly string[] TopLevelKeys =
        ["name", "description", "extends", "settings", "gate_classes", "commodities", "nodes", "gates", "roads", "carriers", "flows", "calibration", "appraisal"];

    // `at` is read before posts, so it is never taken for a post (it is also Austria's country code).
    private static readonly string[] GateKeys = ["name", "corridor", "class", "fee_usd", "fee_empty_usd", "transfer_minutes", "closures", "at", "travellers"];

    public static ScenarioParseResult Parse(IReadOnlyList<ScenarioSource> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0)
        {
            throw new ArgumentException("at least one layer of scenario text is needed", nameof(layers));
        }

        var errors = new List<ScenarioError>();
        YamlTreeNode? merged = null;
        foreach (var layer in layers)
        {
            var root = YamlTreeReader.Read(layer, errors);
            if (root is null)
            {
                continue;
            }

            if (root is not YamlMapping rootMap)
            {
                errors.Add(new ScenarioError(root.Location, $"expected a mapping of scenario sections (name, settings, gates, ...), found {root.KindName}"));
                continue;
            }

            if (!rootMap.Entries.Any(e => Array.IndexOf(TopLevelKeys, e.Key.Value) >= 0))
            {
                // Not a scenario at all (a file named by mistake, or by `extends: /etc/...`): none of its text is shown.
                errors.Add(new ScenarioError(root.Location, "not a TradeSim scenario: none of its top-level keys is a scenario section (name, extends, settings, gates, ...)"));
                continue;
            }

            merged = merged is null ? root : YamlTreeMerger.Merge(merged, root);
        }

        if (errors.Count > 0 || merged is null)
        {
            return new ScenarioParseResult(null, errors);
        }

        var builder = new DefinitionBuilder(errors);
        var definition = builder.Build((YamlMapping)merged);
        if (errors.Count > 0)
        {
            return new ScenarioParseResult(null, errors) { NumberRanges = builder.Ranges };
        }

        // A what-if's volumes are those its first layer states for the first layer's network: that layer, with the
        // assumption layers directly above it (ScenarioSource.AssumptionLayerPrefix), is the reference its trade
        // responds against. A scenario that is all reference has none: its volumes are as stated.
        var referenceLayers = 1;
        while (referenceLayers < layers.Count && layers[referenceLayers].IsAssumption)
        {
            referenceLayers++;
        }

        if (referenceLayers < layers.Count && Parse([.. layers.Take(referenceLayers)]) is { Succeeded: true, Definition: { } reference })
        {
            definition = definition! with { Reference = reference };
        }

        return new ScenarioParseResult(definition, errors) { NumberRanges = builder.Ranges };
    }

    public static ScenarioParseResult Parse(string sourceName, string text) => Parse([new ScenarioSource(sourceName, text)]);

    /// <summary>Builds the definition section by section, collecting every error rather than stopping at the first.</summary>
    /// <summary>The longest step the results do not depend on (see the step-length tests).</summary>
    public const int MaxStepMinutes = 60;

    /// <summary>The terms `appraisal:` takes when the file does not state them: a 10% discount rate over 20 years (a scenario should state its own).</summary>
    public const double DefaultDiscountRate = 0.10;

    public const int DefaultHorizonYears = 20;

    /// <summary>The nationality of travellers whose `travellers:` names none.</summary>
    public const string UnspecifiedNationality = "unspecified";

    private sealed class DefinitionBuilder(List<ScenarioError> errors)
    {
        /// <summary>Every number read, by location, with the range it was checked against.</summary>
        public Dictionary<SourceLocation, NumberRange> Ranges { get; } = [];

        private readonly HashSet<string> _commodityIds = new(StringComparer.Ordinal);
        private readonly Dictionary<string, NodeDefinition> _nodes = new(StringComparer.Ordinal);
        private readonly HashSet<string> _carrierIds = new(StringComparer.Ordinal);
        private readonly HashSet<string> _postIds = new(StringComparer.Ordinal);

        public ScenarioDefinition? Build(YamlMapping root)
        {
            CheckKeys(root, TopLevelKeys, "scenario");
            var name = RequiredString(root, "name", "scenario");
            var description = OptionalString(root, "description") ?? string.Empty;
            var settings = ReadSettings(root.Get("settings"), root.Location);
            var gateClasses = ReadGateClasses(root.Get("gate_classes"), root.Location);
            var commodities = ReadEntities(root, "commodities", ReadCommodity);
            foreach (var c in commodities)
            {
                _commodityIds.Add(c.Id);
            }

            var nodes = ReadEntities(root, "nodes", ReadNode);
            foreach (var n in nodes)
            {
                _nodes[n.Id] = n;
            }

            var gates = ReadEntities(root, "gates", (id, map) => ReadGate(id, map, gateClasses));
            var roads = ReadEntities(root, "roads", ReadRoad);
            var carriers = ReadEntities(root, "carriers", ReadCarrier);
            foreach (var c in carriers)
            {
                _carrierIds.Add(c.Id);
            }

            // Each truck is simulated on its own (arrays sized by the fleet and the trucks it may hire, counts in int):
            // the whole network's trucks are bounded like one fleet's, so every scenario that validates can be
            // allocated and run.
            var totalTrucks = carriers.Sum(c => (long)c.Trucks + (c.Hire?.MaxTrucks ?? 0));
            if (totalTrucks > MaxTrucks)
            {
                errors.Add(new ScenarioError(root.Get("carriers")?.Location ?? root.Location, $"carriers: counting those they may hire, {totalTrucks:N0} trucks in all: expected at most {MaxTrucks:N0} across every fleet"));
            }

            var flows = ReadEntities(root, "flows", ReadFlow);

            // Kilograms are counted exactly in 64-bit integers per commodity: the network's whole demand is bounded
            // too, so a century of it (10^17 kg at most, 90 times below the integers' limit, with room for busy
            // days) cannot overflow. The bound is 100 times a flow's: room for the largest fleets allowed.
            var totalTonnes = flows.Sum(f => f.TonnesPerYear);
            if (totalTonnes > MaxNetworkTonnesPerYear)
            {
                errors.Add(new ScenarioError(root.Get("flows")?.Location ?? root.Location, $"flows: {totalTonnes:G4} t a year in all: expected at most {MaxNetworkTonnesPerYear:G4} across every flow"));
            }
            var calibration = root.Get("calibration") is { } calibrationNode ? ReadCalibration(calibrationNode, gates) : null;
            var appraisal = ReadAppraisal(root.Get("appraisal"));
            if (settings is null || name is null)
            {
                return null;
            }

            return new ScenarioDefinition(name, description, settings, gateClasses, commodities, nodes, gates, roads, carriers, flows, calibration) { Appraisal = appraisal };
        }

        /// <summary>
        /// `appraisal: { capital_usd: N, operating_usd_per_year: N, discount_rate: R, horizon_years: H, source: "..." }`;
        /// absent or `~`, the scenario is not appraised.
        /// </summary>
        private AppraisalDefinition? ReadAppraisal(YamlTreeNode? node)
        {
            if (node is null or YamlScalar { IsNull: true } || AsMapping(node, "appraisal") is not { } map)
            {
                return null;
            }

            CheckKeys(map, ["capital_usd", "operating_usd_per_year", "discount_rate", "horizon_years", "source"], "appraisal");
            var before = errors.Count;
            var capital = Double(map, "capital_usd", 0, 0, 1e13);
            var operating = Double(map, "operating_usd_per_year", 0, 0, 1e12);
            if (map.Get("capital_usd") is null && map.Get("operating_usd_per_year") is null)
            {
                errors.Add(new ScenarioError(map.Location, "appraisal: missing `capital_usd:` and `operating_usd_per_year:`: expected at least one of them (USD)"));
            }
            else if (errors.Count == before && capital == 0 && operating == 0)
            {
                // The benefit-cost ratio divides by the costs' present value: a what-if that costs nothing has none.
                errors.Add(new ScenarioError(map.Location, "appraisal: capital_usd and operating_usd_per_year are both 0: expected a cost above 0 in one of them"));
            }

            return new AppraisalDefinition(
                capital,
                operating,
                Double(map, "discount_rate", DefaultDiscountRate, 0, 1),
                Int(map, "horizon_years", DefaultHorizonYears, 1, 200),
                OptionalString(map, "source") ?? string.Empty);
        }

        private RunSettingsDefinition? ReadSettings(YamlTreeNode? node, SourceLocation parent)
        {
            if (node is null)
            {
                errors.Add(new ScenarioError(parent, "missing `settings:`: expected start, days, warmup_days and step_minutes"));
                return null;
            }

            if (AsMapping(node, "settings") is not { } map)
            {
                return null;
            }

            CheckKeys(map, ["start", "days", "warmup_days", "step_minutes", "release", "route_dispersion_usd", "planning_share", "cargo_value_of_time_pct_per_day", "turn_back"], "settings");
            var start = RequiredDate(map, "start", "settings");
            var days = Int(map, "days", 365, 1, 100 * 366);
            var warmup = Int(map, "warmup_days", 14, 0, 3660);
            var step = Int(map, "step_minutes", 60, 1, 24 * 60);
            if (map.Get("step_minutes") is { } stepNode && step > 0 && (24 * 60) % step != 0)
            {
                errors.Add(new ScenarioError(stepNode.Location, $"step_minutes {step} does not divide a day: expected a divisor of 1440 such as 15, 30 or 60"));
            }
            else if (map.Get("step_minutes") is { } longNode && step > MaxStepMinutes)
            {
                // Measured: 60-minute steps agree with 15-minute ones within every headline KPI's 95% interval; 240
                // moved Nam Giang's corridor hours by +22% and 1,440 Kon Tum - Sekong's by +233% (a truck released by
                // a gate is dispatched again only at the next step), so longer steps are refused, not run wrong.
                errors.Add(new ScenarioError(longNode.Location, $"step_minutes {step} is too long: expected at most {MaxStepMinutes} (a divisor of 1440 such as 15, 30 or 60); longer steps move the results beyond their confidence intervals"));
            }

            var release = ReleaseProcess.Even;
            if (map.Get("release") is { } releaseNode)
            {
                switch (releaseNode is YamlScalar r ? r.Value : null)
                {
                    case "even": release = ReleaseProcess.Even; break;
                    case "poisson": release = ReleaseProcess.Poisson; break;
                    default:
                        errors.Add(new ScenarioError(releaseNode.Location, $"settings release {Show(releaseNode)}: expected even or poisson"));
                        break;
                }
            }

            var dispersion = Double(map, "route_dispersion_usd", 0, 0, 1e6);
            var planning = Double(map, "planning_share", 0, 0, 1);
            var valueOfTime = Double(map, "cargo_value_of_time_pct_per_day", 0, 0, 100);
            var turnBack = true;
            if (map.Get("turn_back") is { } turnBackNode)
            {
                switch (turnBackNode is YamlScalar t ? t.Value : null)
                {
                    case "true": turnBack = true; break;
                    case "false": turnBack = false; break;
                    default:
                        errors.Add(new ScenarioError(turnBackNode.Location, $"settings turn_back {Show(turnBackNode)}: expected true or false"));
                        break;
                }
            }

            return start is { } s
                ? new RunSettingsDefinition(s, days, warmup, step) { Release = release, RouteDispersionUsd = dispersion, PlanningShare = planning, CargoValueOfTimePctPerDay = valueOfTime, TurnBack = turnBack }
                : null;
        }

        private Dictionary<string, IReadOnlyList<TrafficKind>> ReadGateClasses(YamlTreeNode? node, SourceLocation parent)
        {
            var classes = new Dictionary<string, IReadOnlyList<TrafficKind>>(StringComparer.Ordinal);
            if (node is null)
            {
                errors.Add(new ScenarioError(parent, "missing `gate_classes:`: expected each gate class with the traffic it allows, e.g. `international: [transit, trade, local]`"));
                return classes;
            }

            if (AsMapping(node, "gate_classes") is not { } map)
            {
                return classes;
            }

            foreach (var (key, value) in map.Entries)
            {
                if (value is not YamlSequence seq)
                {
                    errors.Add(new ScenarioError(value.Location, $"gate class '{key.Value}': expected a list of traffic kinds (transit, trade, local), found {value.KindName}"));
                    continue;
                }

                var kinds = new List<TrafficKind>();
                foreach (var item in seq.Items)
                {
                    if (ParseTraffic(item) is { } kind)
                    {
                        kinds.Add(kind);
                    }
                }

                classes[key.Value] = kinds;
            }

            return classes;
        }

        private CommodityDefinition ReadCommodity(string id, YamlMapping map)
        {
            CheckKeys(map, ["name", "trade_elasticity", "time_value_pct_per_day"], $"commodity '{id}'");
            return new CommodityDefinition(id, OptionalString(map, "name") ?? id, map.Location)
            {
                TradeElasticity = Double(map, "trade_elasticity", 0, 0, 100),
                TimeValuePctPerDay = Double(map, "time_value_pct_per_day", CommodityDefinition.DefaultTimeValuePctPerDay, 0, 100),
            };
        }

        private NodeDefinition ReadNode(string id, YamlMapping map)
        {
            CheckKeys(map, ["name", "country", "kind", "at"], $"node '{id}'");
            var country = RequiredString(map, "country", $"node '{id}'") ?? "??";
            CheckCountry(map.Get("country"), country);
            var kind = OptionalString(map, "kind") ?? "province";
            if (kind is not ("province" or "district" or "seaport" or "hub"))
            {
                errors.Add(new ScenarioError(map.Get("kind")!.Location, $"node '{id}': unknown kind '{kind}': expected province, district, seaport or hub"));
            }

            return new NodeDefinition(id, OptionalString(map, "name") ?? id, country, kind, map.Location) { Coordinates = ReadCoordinates(map, $"node '{id}'") };
        }

        private GateDefinition ReadGate(string id, YamlMapping map, Dictionary<string, IReadOnlyList<TrafficKind>> classes)
        {
            var what = $"gate '{id}'";
            var gateClass = RequiredString(map, "class", what) ?? string.Empty;
            if (gateClass.Length > 0 && !classes.ContainsKey(gateClass))
            {
                errors.Add(new ScenarioError(map.Get("class")!.Location, $"{what}: unknown gate class '{gateClass}': expected one of {string.Join(", ", classes.Keys)}"));
            }

            var posts = new List<PostDefinition>();
            foreach (var (key, value) in map.Entries)
            {
                if (Array.IndexOf(GateKeys, key.Value) >= 0)
                {
                    continue;
                }

                if (!IsCountryCode(key.Value))
                {
                    errors.Add(new ScenarioError(key.Location, $"{what}: unknown key {Shown(key.Value)}: expected one of {string.Join(", ", GateKeys)} or a post keyed by its two-letter country code (vn, la, cn)"));
                    continue;
                }

                if (AsMapping(value, $"{what} post '{key.Value}'") is { } postMap)
                {
                    posts.Add(ReadPost(id, key.Value, postMap));
                    _postIds.Add(id + "." + key.Value);
                }
            }

            if (posts.Count != 2)
            {
                errors.Add(new ScenarioError(map.Location, $"{what} has {posts.Count} post(s): expected exactly two, one per country, keyed by country code (e.g. `vn:` and `la:`)"));
            }

            var closures = new List<ClosureDefinition>();
            if (map.Get("closures") is { } closuresNode)
            {
                if (closuresNode is not YamlSequence seq)
                {
                    errors.Add(new ScenarioError(closuresNode.Location, $"{what} closures: expected a list of `{{from: YYYY-MM-DD, days: N, reason: ...}}`, found {closuresNode.KindName}"));
                }
                else
                {
                    foreach (var item in seq.Items)
                    {
                        if (AsMapping(item, $"{what} closure") is not { } c)
                        {
                            continue;
                        }

                        CheckKeys(c, ["from", "days", "reason", "notice_days"], $"{what} closure");
                        var from = RequiredDate(c, "from", $"{what} closure");
                        var days = Int(c, "days", 1, 1, 100 * 366);
                        var notice = Int(c, "notice_days", 0, 0, 3660);
                        if (from is { } f)
                        {
                            closures.Add(new ClosureDefinition(f, days, OptionalString(c, "reason") ?? string.Empty) { NoticeDays = notice });
                        }
                    }
                }
            }

            var travellers = ReadTravellers(map.Get("travellers"), what, posts);
            return new GateDefinition(
                id,
                OptionalString(map, "name") ?? id,
                OptionalString(map, "corridor") ?? id,
                gateClass,
                Double(map, "fee_usd", 0, 0, 1e6),
                Double(map, "transfer_minutes", 10, 0, 24 * 60),
                posts,
                closures,
                map.Location)
            {
                Coordinates = ReadCoordinates(map, what),
                FeeEmptyUsd = map.Get("fee_empty_usd") is null ? null : Double(map, "fee_empty_usd", 0, 0, 1e6),
                Travellers = travellers,
            };
        }

        /// <summary>
        /// `travellers: { persons_per_year: N, nationality: { vn: W, ... }, persons_per_vehicle: X, entry_share: { vn: W, la: W } }`;
        /// absent or `~`, the gate carries trucks only. Persons are cleared at both posts' immigration counters, so each
        /// post must say `immigration:`.
        /// </summary>
        private TravellersDefinition? ReadTravellers(YamlTreeNode? node, string gate, List<PostDefinition> posts)
        {
            var what = $"{gate} travellers";
            if (node is null or YamlScalar { IsNull: true } || AsMapping(node, what) is not { } map)
            {
                return null;
            }

            CheckKeys(map, ["persons_per_year", "nationality", "persons_per_vehicle", "entry_share"], what);
            var persons = Double(map, "persons_per_year", 0, 0, MaxPersonsPerYear, required: true);
            var perVehicle = Double(map, "persons_per_vehicle", 1, 1, MaxPersonsPerVehicle, required: true);
            var nationalities = new List<NationalityWeight>();
            foreach (var (key, weight) in Weights(map.Get("nationality"), $"{what} nationality"))
            {
                if (!IsId(key))
                {
                    errors.Add(new ScenarioError(map.Get("nationality")!.Location, $"{what} nationality: label {Shown(key)} is not valid: expected lower-case letters, digits and '-' (a country code such as vn, or `other`)"));
                }

                nationalities.Add(new NationalityWeight(key, weight));
            }

            if (nationalities.Count == 0)
            {
                nationalities.Add(new NationalityWeight(UnspecifiedNationality, 1));
            }

            var entry = new Dictionary<string, double>(StringComparer.Ordinal);
            if (map.Get("entry_share") is { } entryNode)
            {
                foreach (var (country, weight) in Weights(entryNode, $"{what} entry_share"))
                {
                    if (!posts.Any(p => p.Country == country))
                    {
                        errors.Add(new ScenarioError(entryNode.Location, $"{what} entry_share: unknown post {Shown(country)}: expected the gate's posts' country codes ({string.Join(", ", posts.Select(p => p.Country))})"));
                    }

                    entry[country] = weight;
                }
            }
            else
            {
                // Persons who go over come back: without a word from the file, as many enter by each post.
                foreach (var p in posts)
                {
                    entry[p.Country] = 1;
                }
            }

            foreach (var p in posts.Where(p => p.Immigration is null))
            {
                errors.Add(new ScenarioError(p.Location, $"{what}: post '{p.Country}' has no `immigration:`: expected `immigration: {{ counters: K, mean_seconds: S, cv: C }}` at both posts of a gate with travellers"));
            }

            return new TravellersDefinition(persons, nationalities, perVehicle, entry);
        }

        /// <summary>A mapping of labels to non-negative weights with a positive sum (`{ vn: 45320, la: 4332 }`).</summary>
        private List<(string Key, double Weight)> Weights(YamlTreeNode? node, string what)
        {
            var weights = new List<(string, double)>();
            if (node is null || AsMapping(node, what) is not { } map)
            {
                return weights;
            }

            foreach (var (key, value) in map.Entries)
            {
                if (ParseDouble(value, $"{what} '{key.Value}'", 0, 1e15) is { } weight)
                {
                    weights.Add((key.Value, weight));
                }
            }

            if (weights.Count > 0 && weights.Sum(w => w.Item2) <= 0)
            {
                errors.Add(new ScenarioError(map.Location, $"{what}: every weight is 0: expected weights with a positive sum"));
            }

            return weights;
        }

        /// <summary>
        /// The optional `at: [latitude, longitude]` of a node or a gate, in decimal degrees (WGS84), for maps. Absent or
        /// `~`, there are none. A layer that extends another replaces the pair whole, as it replaces any list.
        /// </summary>
        private GeoPoint? ReadCoordinates(YamlMapping map, string what)
        {
            if (map.Get("at") is not { } node || node is YamlScalar { IsNull: true })
            {
                return null;
            }

            if (node is not YamlSequence { Items.Count: 2 } pair)
            {
                var found = node is YamlSequence list ? $"a list of {list.Items.Count} value(s)" : node.KindName;
                errors.Add(new ScenarioError(node.Location, $"{what} at: expected `[latitude, longitude]`, two numbers in degrees (latitude from -90 to 90, longitude from -180 to 180), found {found}"));
                return null;
            }

            var latitude = ParseDouble(pair.Items[0], $"{what} at: latitude", -90, 90);
            var longitude = ParseDouble(pair.Items[1], $"{what} at: longitude", -180, 180);
            return latitude is { } lat && longitude is { } lon ? new GeoPoint(lat, lon) : null;
        }

        private PostDefinition ReadPost(string gateId, string country, YamlMapping map)
        {
            var what = $"gate '{gateId}' post '{country}'";
            CheckKeys(map, ["name", "lanes", "hours", "holding_capacity", "service", "immigration", "vehicle_service", "transit_declarations"], what);
            var lanes = Int(map, "lanes", 1, 1, 10_000, required: true);
            var capacity = Int(map, "holding_capacity", 50, 1, 1_000_000);
            var (open, close) = ReadHours(map.Get("hours"), what);

            // Hours are local; the model's clock is Viet Nam's. Shifted hours must stay within one model day.
            var shift = LocalTime.ToModelMinutes(country);
            if (shift != 0 && !(open == 0 && close == 24 * 60))
            {
                if (open + shift < 0 || close + shift > 24 * 60)
                {
                    errors.Add(new ScenarioError(map.Get("hours")!.Location, $"{what} hours {Clock(open)}-{Clock(close)} (local time, UTC{LocalTime.UtcOffsetHours(country):+0.#;-0.#}) cross midnight on the model's clock (Viet Nam time, UTC+7): expected hours that stay within one day there, or `24h`"));
                }
                else
                {
                    (open, close) = (open + shift, close + shift);
                }
            }
            ServiceTimeDefinition defaultService = new(30, 1);
            var byCommodity = new Dictionary<string, ServiceTimeDefinition>(StringComparer.Ordinal);
            if (map.Get("service") is not { } serviceNode)
            {
                errors.Add(new ScenarioError(map.Location, $"{what}: missing `service:`: expected `default: {{mean_minutes: M, cv: C}}` and optional entries per commodity"));
            }
            else if (AsMapping(serviceNode, $"{what} service") is { } service)
            {
                var sawDefault = false;
                foreach (var (key, value) in service.Entries)
                {
                    if (AsMapping(value, $"{what} service '{key.Value}'") is not { } s)
                    {
                        continue;
                    }

                    CheckKeys(s, ["mean_minutes", "cv"], $"{what} service '{key.Value}'");
                    var time = new ServiceTimeDefinition(Double(s, "mean_minutes", 30, 1e-6, 1e6, required: true), Double(s, "cv", 1, 0, 10));
                    if (key.Value == "default")
                    {
                        defaultService = time;
                        sawDefault = true;
                    }
                    else if (!_commodityIds.Contains(key.Value))
                    {
                        errors.Add(new ScenarioError(key.Location, $"{what} service: unknown commodity '{key.Value}': expected `default` or one of {string.Join(", ", _commodityIds)}"));
                    }
                    else
                    {
                        byCommodity[key.Value] = time;
                    }
                }

                if (!sawDefault)
                {
                    errors.Add(new ScenarioError(service.Location, $"{what} service: missing `default:`: expected the service time of empty trucks and unlisted commodities"));
                }
            }

            return new PostDefinition(country, OptionalString(map, "name") ?? country, lanes, open, close, capacity, defaultService, byCommodity, map.Location)
            {
                Immigration = ReadImmigration(map.Get("immigration"), what),
                VehicleService = ReadServiceTime(map.Get("vehicle_service"), $"{what} vehicle_service"),
                TransitDeclarations = ReadDeclarations(map.Get("transit_declarations"), what),
            };
        }

        /// <summary>`immigration: { counters: K, mean_seconds: S, cv: C }`; absent or `~`, the post clears no persons.</summary>
        private ImmigrationDefinition? ReadImmigration(YamlTreeNode? node, string post)
        {
            if (node is null or YamlScalar { IsNull: true } || AsMapping(node, $"{post} immigration") is not { } map)
            {
                return null;
            }

            CheckKeys(map, ["counters", "mean_seconds", "cv"], $"{post} immigration");
            return new ImmigrationDefinition(
                Int(map, "counters", 1, 1, 10_000, required: true),
                Double(map, "mean_seconds", 60, 1e-3, 1e6, required: true),
                Double(map, "cv", 1, 0, 10));
        }

        /// <summary>`{ mean_minutes: M, cv: C }`; absent or `~`, null.</summary>
        private ServiceTimeDefinition? ReadServiceTime(YamlTreeNode? node, string what)
        {
            if (node is null or YamlScalar { IsNull: true } || AsMapping(node, what) is not { } map)
            {
                return null;
            }

            CheckKeys(map, ["mean_minutes", "cv"], what);
            return new ServiceTimeDefinition(Double(map, "mean_minutes", 30, 1e-6, 1e6, required: true), Double(map, "cv", 1, 0, 10));
        }

        /// <summary>`transit_declarations: { trips_per_declaration: T, declaration_minutes: M }`; absent or `~`, the post lodges none.</summary>
        private TransitDeclarationDefinition? ReadDeclarations(YamlTreeNode? node, string post)
        {
            var what = $"{post} transit_declarations";
            if (node is null or YamlScalar { IsNull: true } || AsMapping(node, what) is not { } map)
            {
                return null;
            }

            CheckKeys(map, ["trips_per_declaration", "declaration_minutes"], what);
            return new TransitDeclarationDefinition(
                Double(map, "trips_per_declaration", 1, 1, 1e9, required: true),
                Double(map, "declaration_minutes", 0, 0, 24 * 60, required: true));
        }

        private static string Clock(int minutes) => $"{minutes / 60:00}:{minutes % 60:00}";

        private (int Open, int Close) ReadHours(YamlTreeNode? node, string what)
        {
            if (node is null)
            {
                return (0, 24 * 60);
            }

            const string expected = "expected `HH:MM-HH:MM` with 00:00 <= opening < closing <= 24:00, or `24h`";
            if (node is not YamlScalar scalar)
            {
                errors.Add(new ScenarioError(node.Location, $"{what} hours: {expected}, found {node.KindName}"));
                return (0, 24 * 60);
            }

            if (scalar.Value == "24h")
            {
                return (0, 24 * 60);
            }

            var parts = scalar.Value.Split('-');
            if (parts.Length == 2 && TryMinutes(parts[0], out var open) && TryMinutes(parts[1], out var close) && open < close)
            {
                return (open, close);
            }

            errors.Add(new ScenarioError(node.Location, $"{what} hours '{scalar.Value}' are impossible: {expected}"));
            return (0, 24 * 60);
        }

        private static bool TryMinutes(string text, out int minutes)
        {
            minutes = 0;
            var hm = text.Trim().Split(':');
            if (hm.Length != 2
                || !int.TryParse(hm[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                || !int.TryParse(hm[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m)
                || m > 59 || h > 24 || (h == 24 && m != 0))
            {
                return false;
            }

            minutes = (h * 60) + m;
            return true;
        }

        private RoadDefinition ReadRoad(string id, YamlMapping map)
        {
            var what = $"road '{id}'";
            CheckKeys(map, ["from", "to", "km", "kmh"], what);
            var from = RequiredString(map, "from", what) ?? string.Empty;
            var to = RequiredString(map, "to", what) ?? string.Empty;
            CheckPlace(map.Get("from"), from, what);
            CheckPlace(map.Get("to"), to, what);
            return new RoadDefinition(id, from, to, Double(map, "km", 1, 1e-3, 1e5, required: true), Double(map, "kmh", 40, 1, 200), map.Location);
        }

        private CarrierDefinition ReadCarrier(string id, YamlMapping map)
        {
            var what = $"carrier '{id}'";
            CheckKeys(map, ["name", "home", "trucks", "capacity_t", "kmh", "cost_per_km_usd", "cost_per_hour_usd", "load_hours", "unload_hours", "handling_cv", "travel_cv", "hire", "backhaul"], what);
            var home = RequiredString(map, "home", what) ?? string.Empty;
            CheckNode(map.Get("home"), home, what);
            return new CarrierDefinition(
                id,
                OptionalString(map, "name") ?? id,
                home,
                Int(map, "trucks", 1, 1, MaxTrucks, required: true),
                Double(map, "capacity_t", 30, 0.1, 1000, required: true),
                Double(map, "kmh", 60, 1, 200),
                Double(map, "cost_per_km_usd", 1, 0, 1e4),
                Double(map, "cost_per_hour_usd", 10, 0, 1e5),
                Double(map, "load_hours", 2, 0, 1000),
                Double(map, "unload_hours", 2, 0, 1000),
                Double(map, "handling_cv", 0.3, 0, 10),
                Double(map, "travel_cv", 0.1, 0, 10),
                map.Location)
            {
                Hire = ReadHire(map.Get("hire"), what),
                Backhaul = Bool(map, "backhaul", false),
            };
        }

        /// <summary>`hire: { max_trucks: N, usd_per_day: X, after_hours: H }`; absent or `~`, the carrier never hires.</summary>
        private HireDefinition? ReadHire(YamlTreeNode? node, string what)
        {
            if (node is null or YamlScalar { IsNull: true } || AsMapping(node, $"{what} hire") is not { } map)
            {
                return null;
            }

            CheckKeys(map, ["max_trucks", "usd_per_day", "after_hours"], $"{what} hire");
            return new HireDefinition(
                Int(map, "max_trucks", 1, 1, MaxTrucks, required: true),
                Double(map, "usd_per_day", 0, 0, 1e6, required: true),
                Double(map, "after_hours", 24, 0, 1e5, required: true));
        }

        private FlowDefinition ReadFlow(string id, YamlMapping map)
        {
            var what = $"flow '{id}'";
            CheckKeys(map, ["commodity", "from", "to", "tonnes_per_year", "value_usd_per_t", "traffic", "carrier", "seasonality", "daily_cv"], what);
            var commodity = RequiredString(map, "commodity", what) ?? string.Empty;
            if (commodity.Length > 0 && !_commodityIds.Contains(commodity))
            {
                errors.Add(new ScenarioError(map.Get("commodity")!.Location, $"{what}: unknown commodity '{commodity}': expected one of {string.Join(", ", _commodityIds)}"));
            }

            var from = RequiredString(map, "from", what) ?? string.Empty;
            var to = RequiredString(map, "to", what) ?? string.Empty;
            CheckNode(map.Get("from"), from, what);
            CheckNode(map.Get("to"), to, what);
            if (_nodes.TryGetValue(from, out var a) && _nodes.TryGetValue(to, out var b) && a.Country == b.Country)
            {
                errors.Add(new ScenarioError(map.Location, $"{what} runs from '{from}' to '{to}', both in '{a.Country}': expected a cross-border flow between two countries"));
            }

            var carrier = RequiredString(map, "carrier", what) ?? string.Empty;
            if (carrier.Length > 0 && !_carrierIds.Contains(carrier))
            {
                errors.Add(new ScenarioError(map.Get("carrier")!.Location, $"{what}: unknown carrier '{carrier}': expected one of {string.Join(", ", _carrierIds)}"));
            }

            var traffic = map.Get("traffic") is { } trafficNode ? ParseTraffic(trafficNode) ?? TrafficKind.Trade : TrafficKind.Trade;
            var seasonality = new List<double>();
            if (map.Get("seasonality") is { } seasonNode)
            {
                if (seasonNode is YamlSequence seq && seq.Items.Count == 12)
                {
                    foreach (var item in seq.Items)
                    {
                        seasonality.Add(ParseDouble(item, "seasonality factor", 0, 100) ?? 1);
                    }

                    if (seasonality.Sum() <= 0)
                    {
                        errors.Add(new ScenarioError(seasonNode.Location, $"{what} seasonality: expected twelve factors with a positive sum"));
                    }
                }
                else
                {
                    errors.Add(new ScenarioError(seasonNode.Location, $"{what} seasonality: expected a list of twelve monthly factors (January first)"));
                }
            }

            if (seasonality.Count != 12)
            {
                seasonality = [.. Enumerable.Repeat(1.0, 12)];
            }

            return new FlowDefinition(
                id,
                commodity,
                from,
                to,
                Double(map, "tonnes_per_year", 0, 0, MaxFlowTonnesPerYear, required: true),
                Double(map, "value_usd_per_t", 0, 0, 1e9, required: true),
                traffic,
                carrier,
                seasonality,
                Double(map, "daily_cv", 0.3, 0, 10),
                map.Location);
        }

        private CalibrationDefinition? ReadCalibration(YamlTreeNode node, IReadOnlyList<GateDefinition> gates)
        {
            if (AsMapping(node, "calibration") is not { } map)
            {
                return null;
            }

            CheckKeys(map, ["from", "to", "parameters", "targets"], "calibration");
            var from = RequiredDate(map, "from", "calibration");
            var to = RequiredDate(map, "to", "calibration");
            if (from is { } f && to is { } t && t < f)
            {
                errors.Add(new ScenarioError(map.Get("to")!.Location, "calibration: `to` is before `from`: expected a period of at least one day"));
            }

            var targets = new List<CalibrationTargetDefinition>();
            if (map.Get("targets") is { } targetsNode && AsMapping(targetsNode, "calibration targets") is { } targetMap)
            {
                foreach (var (key, value) in targetMap.Entries)
                {
                    if (AsMapping(value, $"calibration target '{key.Value}'") is not { } t2)
                    {
                        continue;
                    }

                    var what = $"calibration target '{key.Value}'";
                    CheckKeys(t2, ["description", "observed", "metric", "gate", "traffic", "importer", "nationality", "from", "to", "held_out", "source"], what);
                    var metricText = RequiredString(t2, "metric", what) ?? string.Empty;
                    CalibrationMetric? metric = metricText switch
                    {
                        "loaded_crossings" => CalibrationMetric.LoadedCrossings,
                        "tonnes" => CalibrationMetric.Tonnes,
                        "import_value_share" => CalibrationMetric.ImportValueShare,
                        "person_crossings" => CalibrationMetric.PersonCrossings,
                        "vehicle_crossings" => CalibrationMetric.VehicleCrossings,
                        "declarations" => CalibrationMetric.Declarations,
                        "value_usd" => CalibrationMetric.ValueUsd,
                        _ => null,
                    };
                    if (metric is null && metricText.Length > 0)
                    {
                        errors.Add(new ScenarioError(t2.Get("metric")!.Location, $"{what}: unknown metric '{metricText}': expected loaded_crossings, tonnes, value_usd, import_value_share, person_crossings, vehicle_crossings or declarations"));
                    }

                    var nationality = OptionalString(t2, "nationality");
                    if (nationality is not null && metric != CalibrationMetric.PersonCrossings)
                    {
                        errors.Add(new ScenarioError(t2.Get("nationality")!.Location, $"{what}: `nationality:` filters person_crossings only, not {metricText}"));
                    }

                    // A target observed over another period than the section's gives both ends of its own.
                    CalibrationPeriod? period = null;
                    if (t2.Get("from") is not null || t2.Get("to") is not null)
                    {
                        var ownFrom = RequiredDate(t2, "from", what);
                        var ownTo = RequiredDate(t2, "to", what);
                        if (ownFrom is { } of && ownTo is { } ot)
                        {
                            if (ot < of)
                            {
                                errors.Add(new ScenarioError(t2.Get("to")!.Location, $"{what}: `to` is before `from`: expected a period of at least one day"));
                            }
                            else
                            {
                                period = new CalibrationPeriod(of, ot);
                            }
                        }
                    }

                    var gate = RequiredString(t2, "gate", what) ?? string.Empty;
                    if (gate.Length > 0 && !gates.Any(g => g.Id == gate))
                    {
                        errors.Add(new ScenarioError(t2.Get("gate")!.Location, $"{what}: unknown gate '{gate}': expected one of {string.Join(", ", gates.Select(g => g.Id))}"));
                    }

                    var importer = OptionalString(t2, "importer");
                    if (metric == CalibrationMetric.ImportValueShare && importer is null)
                    {
                        errors.Add(new ScenarioError(t2.Location, $"{what}: import_value_share needs `importer:` (the importing country's code)"));
                    }

                    TrafficKind? traffic = t2.Get("traffic") is { } tn ? ParseTraffic(tn) : null;
                    targets.Add(new CalibrationTargetDefinition(
                        key.Value,
                        OptionalString(t2, "description") ?? key.Value,
                        Double(t2, "observed", 0, 0, 1e15, required: true),
                        metric ?? CalibrationMetric.Tonnes,
                        gate,
                        traffic,
                        importer,
                        OptionalString(t2, "source") ?? string.Empty)
                    {
                        Nationality = nationality,
                        Period = period,
                        HeldOut = Bool(t2, "held_out", false),
                    });
                }
            }

            return from is { } ff && to is { } tt ? new CalibrationDefinition(ff, tt, targets) { Parameters = ReadCalibrationParameters(map.Get("parameters")) } : null;
        }

        /// <summary>
        /// `parameters: { PATH: { min: A, max: B } }`: the numbers `tradesim calibrate` fits, each a path as `--set` takes
        /// it, kept within its bounds. Whether the path names a number of the scenario is checked where the fit reads it.
        /// </summary>
        private List<CalibrationParameterDefinition> ReadCalibrationParameters(YamlTreeNode? node)
        {
            var parameters = new List<CalibrationParameterDefinition>();
            if (node is null || node is YamlScalar { IsNull: true } || AsMapping(node, "calibration parameters") is not { } map)
            {
                return parameters;
            }

            foreach (var (key, value) in map.Entries)
            {
                var what = $"calibration parameter '{key.Value}'";
                if (AsMapping(value, what) is not { } bounds)
                {
                    continue;
                }

                CheckKeys(bounds, ["min", "max"], what);
                var min = Double(bounds, "min", 0, -1e15, 1e15, required: true);
                var max = Double(bounds, "max", 0, -1e15, 1e15, required: true);
                if (bounds.Get("min") is not null && bounds.Get("max") is not null && !(min < max))
                {
                    errors.Add(new ScenarioError(bounds.Location, $"{what}: min {min.ToString(CultureInfo.InvariantCulture)} is not below max {max.ToString(CultureInfo.InvariantCulture)}: expected min < max"));
                }

                parameters.Add(new CalibrationParameterDefinition(key.Value, min, max, key.Location));
            }

            return parameters;
        }

        private List<T> ReadEntities<T>(YamlMapping root, string section, Func<string, YamlMapping, T> read)
        {
            var list = new List<T>();
            if (root.Get(section) is not { } node)
            {
                errors.Add(new ScenarioError(root.Location, $"missing `{section}:`: expected a mapping of {section} keyed by id"));
                return list;
            }

            if (node is YamlScalar { IsNull: true })
            {
                return list;
            }

            if (AsMapping(node, section) is not { } map)
            {
                return list;
            }

            foreach (var (key, value) in map.Entries)
            {
                if (!IsId(key.Value))
                {
                    errors.Add(new ScenarioError(key.Location, $"{section}: id '{key.Value}' is not valid: expected lower-case letters, digits and '-', starting with a letter"));
                    continue;
                }

                if (AsMapping(value, $"{section} '{key.Value}'") is { } entity)
                {
                    list.Add(read(key.Value, entity));
                }
            }

            return list;
        }

        private void CheckNode(YamlTreeNode? node, string id, string what)
        {
            if (node is not null && id.Length > 0 && !_nodes.ContainsKey(id))
            {
                errors.Add(new ScenarioError(node.Location, $"{what}: unknown node '{id}': expected one of {string.Join(", ", _nodes.Keys)}"));
            }
        }

        private void CheckPlace(YamlTreeNode? node, string id, string what)
        {
            if (node is not null && id.Length > 0 && !_nodes.ContainsKey(id) && !_postIds.Contains(id))
            {
                errors.Add(new ScenarioError(node.Location, $"{what}: unknown place '{id}': expected a node id or a gate post written `gate.country` (e.g. {_postIds.FirstOrDefault() ?? "nam-giang.vn"})"));
            }
        }

        private void CheckCountry(YamlTreeNode? node, string country)
        {
            if (node is not null && !IsCountryCode(country))
            {
                errors.Add(new ScenarioError(node.Location, $"country '{country}': expected a two-letter lower-case country code such as vn, la or cn"));
            }
        }

        private TrafficKind? ParseTraffic(YamlTreeNode node)
        {
            if (node is YamlScalar s)
            {
                switch (s.Value)
                {
                    case "transit": return TrafficKind.Transit;
                    case "trade": return TrafficKind.Trade;
                    case "local": return TrafficKind.Local;
                }
            }

            errors.Add(new ScenarioError(node.Location, $"unknown traffic kind {Show(node)}: expected transit, trade or local"));
            return null;
        }

        private YamlMapping? AsMapping(YamlTreeNode node, string what)
        {
            if (node is YamlMapping map)
            {
                return map;
            }

            errors.Add(new ScenarioError(node.Location, $"{what}: expected a mapping of keys and values, found {node.KindName}"));
            return null;
        }

        /// <summary>
        /// A key as an error may show it: a name (letters, digits, `_`, `-`, `.`, at most 64) is quoted; anything else
        /// (a line of some other file, control characters) is not repeated.
        /// </summary>
        private static string Shown(string key) =>
            key.Length is > 0 and <= 64 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? $"'{key}'" : "(not a name: letters, digits, _, - and . only)";

        private void CheckKeys(YamlMapping map, string[] allowed, string what)
        {
            foreach (var (key, _) in map.Entries)
            {
                if (Array.IndexOf(allowed, key.Value) < 0)
                {
                    errors.Add(new ScenarioError(key.Location, $"{what}: unknown key {Shown(key.Value)}: expected one of {string.Join(", ", allowed)}"));
                }
            }
        }

        private string? RequiredString(YamlMapping map, string key, string what)
        {
            if (map.Get(key) is not { } node)
            {
                errors.Add(new ScenarioError(map.Location, $"{what}: missing `{key}:`"));
                return null;
            }

            if (node is YamlScalar { IsNull: false } s && s.Value.Length > 0)
            {
                return s.Value;
            }

            errors.Add(new ScenarioError(node.Location, $"{what} {key}: expected a non-empty text value, found {node.KindName}"));
            return null;
        }

        private string? OptionalString(YamlMapping map, string key) =>
            map.Get(key) is { } node ? (node is YamlScalar s ? s.Value : Fail<string>(node, $"{key}: expected a text value, found {node.KindName}")) : null;

        private T? Fail<T>(YamlTreeNode node, string message)
            where T : class
        {
            errors.Add(new ScenarioError(node.Location, message));
            return null;
        }

        /// <summary>Dates a scenario may name: wide enough for history and plans, narrow enough that a run never leaves the calendar.</summary>
        private static readonly DateOnly EarliestDate = new(1900, 1, 1);

        private static readonly DateOnly LatestDate = new(2199, 12, 31);

        /// <summary>The most trucks in one fleet, and in all fleets together.</summary>
        private const int MaxTrucks = 10_000_000;
        private const double MaxFlowTonnesPerYear = 1e10;

        // Persons are drawn vehicle by vehicle (a Poisson number of passengers each, by multiplying uniforms): a
        // coach's load keeps that draw short and exact.
        private const double MaxPersonsPerVehicle = 100;

        // A billion person crossings a year at one gate is far beyond any border post on Earth; the bound keeps the
        // counts of a century exact in 64-bit integers.
        private const double MaxPersonsPerYear = 1e9;
        private const double MaxNetworkTonnesPerYear = 1e12;

        private DateOnly? RequiredDate(YamlMapping map, string key, string what)
        {
            if (map.Get(key) is not { } node)
            {
                errors.Add(new ScenarioError(map.Location, $"{what}: missing `{key}:` (a date, YYYY-MM-DD)"));
                return null;
            }

            if (node is YamlScalar s && DateOnly.TryParseExact(s.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                if (date < EarliestDate || date > LatestDate)
                {
                    // A run spans at most about 110 years (days + warm-up): every day of it must be a date.
                    errors.Add(new ScenarioError(node.Location, $"{what} {key}: {s.Value} is out of range: expected a date from {EarliestDate:yyyy-MM-dd} to {LatestDate:yyyy-MM-dd}"));
                    return null;
                }

                return date;
            }

            errors.Add(new ScenarioError(node.Location, $"{what} {key}: {Show(node)} is not a date: expected YYYY-MM-DD"));
            return null;
        }

        private int Int(YamlMapping map, string key, int fallback, int min, int max, bool required = false)
        {
            if (map.Get(key) is not { } node)
            {
                if (required)
                {
                    errors.Add(new ScenarioError(map.Location, $"missing `{key}:` (a whole number from {min} to {max})"));
                }

                return fallback;
            }

            Ranges[node.Location] = new NumberRange(min, max, Whole: true);
            if (node is YamlScalar s && long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                if (value >= min && value <= max)
                {
                    return (int)value;
                }

                errors.Add(new ScenarioError(node.Location, $"{key} is {s.Value}: expected a whole number from {min} to {max}"));
                return fallback;
            }

            errors.Add(new ScenarioError(node.Location, $"{key} is {Show(node)}: expected a whole number from {min} to {max}"));
            return fallback;
        }

        private bool Bool(YamlMapping map, string key, bool fallback)
        {
            if (map.Get(key) is not { } node)
            {
                return fallback;
            }

            switch (node is YamlScalar s ? s.Value : null)
            {
                case "true": return true;
                case "false": return false;
                default:
                    errors.Add(new ScenarioError(node.Location, $"{key} is {Show(node)}: expected true or false"));
                    return fallback;
            }
        }

        private double Double(YamlMapping map, string key, double fallback, double min, double max, bool required = false)
        {
            if (map.Get(key) is not { } node)
            {
                if (required)
                {
                    errors.Add(new ScenarioError(map.Location, $"missing `{key}:` (a number from {F(min)} to {F(max)})"));
                }

                return fallback;
            }

            return ParseDouble(node, key, min, max) ?? fallback;
        }

        private double? ParseDouble(YamlTreeNode node, string what, double min, double max)
        {
            Ranges[node.Location] = new NumberRange(min, max, Whole: false);
            if (node is YamlScalar s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                if (value >= min && value <= max)
                {
                    return value;
                }

                errors.Add(new ScenarioError(node.Location, $"{what} is {s.Value}: expected a number from {F(min)} to {F(max)}"));
                return null;
            }

            errors.Add(new ScenarioError(node.Location, $"{what} is {Show(node)}: expected a number from {F(min)} to {F(max)}"));
            return null;
        }

        private static string F(double value) => value.ToString("G", CultureInfo.InvariantCulture);

        private static string Show(YamlTreeNode node) => node is YamlScalar s ? $"'{s.Value}'" : node.KindName;

        private static bool IsCountryCode(string text) => text.Length == 2 && char.IsAsciiLetterLower(text[0]) && char.IsAsciiLetterLower(text[1]);

        private static bool IsId(string text)
        {
            if (text.Length == 0 || !char.IsAsciiLetterLower(text[0]))
            {
                return false;
            }

            foreach (var c in text)
            {
                if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace HybridMesh.Engine.Steps.Gateway;

/// <summary>
/// Decides, from reads alone, whether applying a desired object would change the live one: every field the module
/// sets must already hold the same value. Fields the server or other controllers add (defaults, status, nodePorts,
/// managedFields) are ignored, so a re-run finds everything Unchanged and -WhatIf can list the real plan without a
/// single write (a dry-run apply would be a PATCH in the server's log).
/// </summary>
internal static partial class LiveObjectComparer
{
    /// <summary>True when every field of <paramref name="desired"/> has the same value in <paramref name="live"/>.</summary>
    public static bool Covers(JsonNode? live, JsonNode? desired)
    {
        switch (desired)
        {
            case null:
                return live is null;
            case JsonObject wanted:
                if (live is not JsonObject have)
                {
                    return false;
                }

                foreach (var (key, value) in wanted)
                {
                    if (!have.TryGetPropertyValue(key, out var existing) || !Covers(existing, value))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray wantedItems:
                // Lists are compared item by item: the module owns its lists whole (ports, env, rules).
                if (live is not JsonArray haveItems || haveItems.Count != wantedItems.Count)
                {
                    return false;
                }

                for (var i = 0; i < wantedItems.Count; i++)
                {
                    if (!Covers(haveItems[i], wantedItems[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return live is JsonValue && SameValue(live.ToJsonString(), desired.ToJsonString());
        }
    }

    /// <summary>
    /// True when <paramref name="manager"/>'s last apply owns a map field that <paramref name="desired"/> no longer
    /// sets (an option that was dropped, such as the internal-LB annotation): applying again would remove it, so
    /// the object is not up to date even though every desired field matches. List items are compared whole by
    /// <see cref="Covers"/>, so only map fields ("f:" keys) are followed here.
    /// </summary>
    public static bool OwnsFieldsNotDesired(JsonObject live, JsonObject desired, string manager)
    {
        foreach (var entry in (live["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((string?)entry["manager"] == manager && (string?)entry["operation"] == "Apply" &&
                entry["subresource"] is null && entry["fieldsV1"] is JsonObject fields &&
                HasUndesired(fields, desired))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasUndesired(JsonObject fields, JsonNode? desired)
    {
        if (desired is not JsonObject wanted)
        {
            return false;
        }

        foreach (var (key, value) in fields)
        {
            if (!key.StartsWith("f:", StringComparison.Ordinal))
            {
                continue;
            }

            if (!wanted.TryGetPropertyValue(key[2..], out var child))
            {
                return true;
            }

            if (value is JsonObject nested && HasUndesired(nested, child))
            {
                return true;
            }
        }

        return false;
    }

    // The API server canonicalises resource quantities ("2000m" is stored as "2"), so equal quantities count as equal.
    private static bool SameValue(string live, string desired)
    {
        if (live == desired)
        {
            return true;
        }

        return Quantity(live) is { } a && Quantity(desired) is { } b && a == b;
    }

    private static decimal? Quantity(string json)
    {
        if (json.Length < 3 || json[0] != '"')
        {
            return null;
        }

        var match = QuantityPattern().Match(json[1..^1]);
        if (!match.Success || !decimal.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        return match.Groups[2].Value switch
        {
            "m" => number / 1000m,
            "" => number,
            "k" => number * 1_000m,
            "M" => number * 1_000_000m,
            "G" => number * 1_000_000_000m,
            "Ki" => number * 1024m,
            "Mi" => number * 1024m * 1024m,
            "Gi" => number * 1024m * 1024m * 1024m,
            _ => null,
        };
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|Ki|Mi|Gi)?$")]
    private static partial Regex QuantityPattern();
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using static Tabula.Cli.Formatting.Templates.TemplateValues;

namespace Tabula.Cli.Formatting.Templates;

/// <summary>Go's template builtins and the functions docker's CLI adds (json, join, split, lower, upper, title, truncate, pad).</summary>
internal static class TemplateFunctions
{
    public static bool Exists(string name) => name is "json" or "join" or "split" or "lower" or "upper" or "title" or "truncate" or "pad"
        or "print" or "println" or "printf" or "index" or "len" or "eq" or "ne" or "lt" or "le" or "gt" or "ge" or "and" or "or" or "not";

    public static object? Call(string name, IReadOnlyList<object?> args) => name switch
    {
        "json" => Json(One(name, args)),
        "join" => string.Join(Text(Arg(name, args, 1, 2)), Items(Arg(name, args, 0, 2)).Select(Print)),
        "split" => (IReadOnlyList<object?>)Text(Arg(name, args, 0, 2)).Split(Text(Arg(name, args, 1, 2))),
        "lower" => Text(One(name, args)).ToLowerInvariant(),
        "upper" => Text(One(name, args)).ToUpperInvariant(),
        "title" => Title(Text(One(name, args))),
        "truncate" => Truncate(Text(Arg(name, args, 0, 2)), Number(Arg(name, args, 1, 2))),
        "pad" => new string(' ', (int)Number(Arg(name, args, 1, 3))) + Text(Arg(name, args, 0, 3)) + new string(' ', (int)Number(Arg(name, args, 2, 3))),
        "print" => Sprint(args),
        "println" => string.Join(" ", args.Select(Print)) + "\n",
        "printf" => Printf(args),
        "index" => Index(args),
        "len" => Length(One(name, args)),
        "eq" => args.Count >= 2 ? args.Skip(1).Any(other => Compare(args[0], other) == 0) : throw Arity(name),
        "ne" => Compare(Arg(name, args, 0, 2), Arg(name, args, 1, 2)) != 0,
        "lt" => Compare(Arg(name, args, 0, 2), Arg(name, args, 1, 2)) < 0,
        "le" => Compare(Arg(name, args, 0, 2), Arg(name, args, 1, 2)) <= 0,
        "gt" => Compare(Arg(name, args, 0, 2), Arg(name, args, 1, 2)) > 0,
        "ge" => Compare(Arg(name, args, 0, 2), Arg(name, args, 1, 2)) >= 0,
        "and" => args.Count > 0 ? args.FirstOrDefault(a => !IsTrue(a), args[^1]) : throw Arity(name),
        "or" => args.Count > 0 ? args.FirstOrDefault(IsTrue, args[^1]) : throw Arity(name),
        "not" => !IsTrue(One(name, args)),
        _ => throw new TemplateException($"template: function \"{name}\" not defined"),
    };

    private static object? One(string name, IReadOnlyList<object?> args) => Arg(name, args, 0, 1);

    private static object? Arg(string name, IReadOnlyList<object?> args, int index, int count)
        => args.Count == count ? args[index] : throw Arity(name, count, args.Count);

    private static TemplateException Arity(string name, int wanted = 2, int got = 0)
        => new($"template: wrong number of args for {name}: want {wanted} got {got}");

    private static string Text(object? value) => value is string s ? s : Print(value);

    private static long Number(object? value) => value switch
    {
        long n => n,
        double d => (long)d,
        string s when long.TryParse(s, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw new TemplateException($"template: expected a number, got {Kind(value)}"),
    };

    private static string Title(string text) =>
        string.Join(" ", text.Split(' ').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));

    private static string Truncate(string text, long length) => text.Length <= length ? text : text[..(int)Math.Max(0, length)];

    /// <summary>Go's Sprint: a space between operands when neither is a string.</summary>
    private static string Sprint(IReadOnlyList<object?> args)
    {
        var result = new StringBuilder();
        for (int i = 0; i < args.Count; i++)
        {
            if (i > 0 && args[i] is not string && args[i - 1] is not string) result.Append(' ');
            result.Append(Print(args[i]));
        }
        return result.ToString();
    }

    /// <summary>The verbs people use in --format: %s %v %d %q %t and %%; anything else is refused.</summary>
    private static string Printf(IReadOnlyList<object?> args)
    {
        if (args.Count == 0 || args[0] is not string format) throw new TemplateException("template: printf needs a format string first");
        var result = new StringBuilder();
        int next = 1;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length)
            {
                result.Append(format[i]);
                continue;
            }
            char verb = format[++i];
            if (verb == '%')
            {
                result.Append('%');
                continue;
            }
            if (next >= args.Count)
            {
                result.Append($"%!{verb}(MISSING)");
                continue;
            }
            var value = args[next++];
            result.Append(verb switch
            {
                's' or 'v' or 'd' or 't' => Print(value),
                'q' => JsonSerializer.Serialize(Text(value), TemplateJsonContext.Default.String),
                _ => throw new TemplateException($"template: printf verb %{verb} is not supported (use %s, %v, %d, %q or %t)"),
            });
        }
        return result.ToString();
    }

    private static object? Index(IReadOnlyList<object?> args)
    {
        if (args.Count == 0) throw Arity("index", 1, 0);
        var value = args[0];
        foreach (var key in args.Skip(1))
        {
            value = (value, key) switch
            {
                (JsonElement { ValueKind: JsonValueKind.Object } map, string name) => map.TryGetProperty(name, out var p) ? FromJson(p) : Missing,
                (JsonElement { ValueKind: JsonValueKind.Array } array, long at) => at >= 0 && at < array.GetArrayLength() ? FromJson(array[(int)at])
                    : throw new TemplateException($"template: index out of range: {at}"),
                (IReadOnlyList<object?> list, long at) => at >= 0 && at < list.Count ? list[(int)at] : throw new TemplateException($"template: index out of range: {at}"),
                _ => throw new TemplateException($"template: can't index a {Kind(value)} with a {Kind(key)}"),
            };
        }
        return value;
    }

    private static long Length(object? value) => value switch
    {
        string s => s.Length,
        JsonElement { ValueKind: JsonValueKind.Array } array => array.GetArrayLength(),
        JsonElement { ValueKind: JsonValueKind.Object } map => map.EnumerateObject().Count(),
        IReadOnlyList<object?> list => list.Count,
        _ => throw new TemplateException($"template: len of a {Kind(value)}"),
    };

    private static int Compare(object? left, object? right) => (left, right) switch
    {
        (long a, long b) => a.CompareTo(b),
        (long or double, long or double) => Convert.ToDouble(left, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(right, CultureInfo.InvariantCulture)),
        (string a, string b) => string.CompareOrdinal(a, b),
        (bool a, bool b) => a.CompareTo(b),
        (null, null) => 0,
        _ when left == Missing && right == Missing => 0,
        _ => Print(left) == Print(right) && Kind(left) == Kind(right) ? 0 : throw new TemplateException($"template: incompatible types for comparison: {Kind(left)} and {Kind(right)}"),
    };
}

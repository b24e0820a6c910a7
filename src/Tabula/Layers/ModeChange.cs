namespace Tabula.Layers;

/// <summary>
/// A <c>--chmod</c> value: octal bits that replace an entry's mode, or a symbolic change (<c>u+x</c>, <c>go-w</c>,
/// <c>u=rw,g=r,o=r</c>, <c>a+X</c>) applied to the mode each entry has, as chmod(1) applies it with a umask of 0 (a
/// clause without u, g, o or a changes all three, as BuildKit's copy does).
/// </summary>
internal sealed class ModeChange
{
    private const int User = 0b111_000_000, Group = 0b000_111_000, Other = 0b000_000_111;
    private const int SetUid = 0b100_000_000_000, SetGid = 0b010_000_000_000, Sticky = 0b001_000_000_000;

    private readonly int? absolute;
    private readonly IReadOnlyList<Clause> clauses;

    private ModeChange(int? absolute, IReadOnlyList<Clause> clauses)
    {
        this.absolute = absolute;
        this.clauses = clauses;
    }

    /// <summary>The octal bits, when the value is octal; symbolic changes have none.</summary>
    public int? Octal => absolute;

    private sealed record Clause(int Who, char Operator, string Permissions, char? CopyFrom);

    /// <exception cref="FormatException">Neither octal bits nor a symbolic mode.</exception>
    public static ModeChange Parse(string text)
    {
        if (text.Length is >= 1 and <= 4 && text.All(c => c is >= '0' and <= '7'))
            return new ModeChange(Convert.ToInt32(text, 8), []);
        var clauses = new List<Clause>();
        foreach (var part in text.Split(','))
        {
            int i = 0, who = 0;
            for (; i < part.Length && part[i] is 'u' or 'g' or 'o' or 'a'; i++)
                who |= part[i] switch { 'u' => User | SetUid, 'g' => Group | SetGid, 'o' => Other | Sticky, _ => User | Group | Other | SetUid | SetGid | Sticky };
            if (who == 0) who = User | Group | Other | SetUid | SetGid | Sticky;
            if (i == part.Length) throw Invalid(text);
            while (i < part.Length)
            {
                char op = part[i++];
                if (op is not ('+' or '-' or '=')) throw Invalid(text);
                int start = i;
                if (i < part.Length && part[i] is 'u' or 'g' or 'o')
                {
                    clauses.Add(new Clause(who, op, "", part[i++]));
                    continue;
                }
                while (i < part.Length && part[i] is 'r' or 'w' or 'x' or 'X' or 's' or 't') i++;
                clauses.Add(new Clause(who, op, part[start..i], null));
            }
        }
        return new ModeChange(null, clauses);
    }

    private static FormatException Invalid(string text)
        => new($"invalid --chmod '{text}': give octal permission bits (755, 0644) or a symbolic mode (u+x, go-w, u=rw,g=r,o=r)");

    /// <summary>The mode (07777 bits) an entry with <paramref name="mode"/> gets.</summary>
    public int Apply(int mode, bool isDirectory)
    {
        if (absolute is { } bits) return bits;
        foreach (var clause in clauses)
        {
            int changed = clause.CopyFrom is { } from ? Spread(mode, from) : Bits(clause.Permissions, mode, isDirectory);
            int affected = changed & clause.Who;
            mode = clause.Operator switch
            {
                '+' => mode | affected,
                '-' => mode & ~affected,
                // = clears what the clause's classes hold (set-id bits with them, as chmod does), then sets.
                _ => (mode & ~(clause.Who & (User | Group | Other | SetUid | SetGid | Sticky))) | affected,
            };
        }
        return mode & 0b111_111_111_111;
    }

    /// <summary>Permission letters as bits in all three classes (the clause's classes pick from them).</summary>
    private static int Bits(string permissions, int mode, bool isDirectory)
    {
        int bits = 0;
        foreach (char c in permissions)
            bits |= c switch
            {
                'r' => 0b100_100_100,
                'w' => 0b010_010_010,
                'x' => 0b001_001_001,
                // Execute only for directories and for files some class may already execute.
                'X' => isDirectory || (mode & 0b001_001_001) != 0 ? 0b001_001_001 : 0,
                's' => SetUid | SetGid,
                _ => Sticky,
            };
        return bits;
    }

    /// <summary>u, g or o: that class's current rwx bits, copied to all three classes.</summary>
    private static int Spread(int mode, char from)
    {
        int rwx = from switch { 'u' => (mode >> 6) & 7, 'g' => (mode >> 3) & 7, _ => mode & 7 };
        return (rwx << 6) | (rwx << 3) | rwx;
    }
}

using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Model;
using Xunit;

namespace RouterAdmin.Tests.Firewall;

/// <summary>Words are split and quoted the way iptables-save prints them and iptables-restore reads them.</summary>
public sealed class IptablesSyntaxSpecs
{
    public static TheoryData<string[]> Rules => new(
        ["-s", "192.168.1.2/32", "-j", "SNAT", "--to-source", "203.0.113.2"],
        ["-m", "comment", "--comment", "routeradmin: Alice to Contivity"],
        ["--comment", "say \"hi\""],
        ["--comment", "C:\\temp\\"],
        ["--comment", "\\\"", "\"\\"],
        ["--comment", "O'Brien's"],
        ["--comment", "tab\there"],
        ["--comment", ""],
        ["--comment", "   "],
        ["!", "-d", "10.0.0.0/8"]);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Joined_words_split_back_into_the_same_words(string[] words)
    {
        var line = IptablesSyntax.Join(words);

        Assert.Equal(words, IptablesSyntax.Split(line));
    }

    [Theory]
    [InlineData("eth1", "eth1")]
    [InlineData("192.168.1.0/24", "192.168.1.0/24")]
    [InlineData("two words", "\"two words\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("", "\"\"")]
    public void A_word_is_quoted_only_when_it_needs_to_be(string word, string quoted)
    {
        Assert.Equal(quoted, IptablesSyntax.Quote(word));
    }

    [Fact]
    public void Runs_of_spaces_and_tabs_between_words_are_one_separator()
    {
        Assert.Equal(["-A", "POSTROUTING", "-j", "MASQUERADE"], IptablesSyntax.Split("  -A \t POSTROUTING   -j MASQUERADE  "));
    }

    [Fact]
    public void Quotes_may_start_in_the_middle_of_a_word()
    {
        Assert.Equal(["--comment", "routeradmin: x"], IptablesSyntax.Split("--comment routeradmin\": x\""));
    }

    [Fact]
    public void An_unterminated_quote_is_a_format_error_naming_the_line()
    {
        var error = Assert.Throws<FormatException>(() => IptablesSyntax.Split("-A X --comment \"open"));

        Assert.Contains("-A X --comment \"open", error.Message);
    }

    // iptables-restore reads a backslash inside quotes as "take the next character literally", and iptables-save escapes
    // " \ and ' that way.
    [Fact]
    public void A_single_quote_escaped_by_iptables_save_is_read_back_as_a_plain_single_quote()
    {
        Assert.Equal(["--comment", "it's"], IptablesSyntax.Split("--comment \"it\\'s\""));
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    [InlineData("\u0085")]
    public void A_word_with_a_control_character_is_not_safe_to_write(string word)
    {
        Assert.False(IptablesSyntax.IsSafeWord(word));
    }

    [Theory]
    [InlineData("routeradmin: O'Brien \"x\" \\ y")]
    [InlineData("")]
    public void Quotes_and_backslashes_are_safe_because_they_are_escaped(string word)
    {
        Assert.True(IptablesSyntax.IsSafeWord(word));
    }
}

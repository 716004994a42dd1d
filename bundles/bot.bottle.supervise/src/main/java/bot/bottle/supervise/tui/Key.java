package bot.bottle.supervise.tui;

/**
 * One key press, already decoded from the terminal's escape sequences (or a timer tick).
 *
 * @param type what kind of key
 * @param ch   the character for {@link Type#CHAR}, else 0
 */
public record Key(Type type, int ch) {

    /** Decoded keys. */
    public enum Type {
        CHAR, UP, DOWN, PAGE_UP, PAGE_DOWN, HOME, END, LEFT, RIGHT, ENTER, ESC, BACKSPACE, CTRL_C, CTRL_L
    }

    public static Key of(Type t) {
        return new Key(t, 0);
    }

    public static Key ch(int c) {
        return new Key(Type.CHAR, c);
    }

    public boolean is(char c) {
        return type == Type.CHAR && ch == c;
    }
}

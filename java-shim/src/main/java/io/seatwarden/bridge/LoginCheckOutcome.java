package io.seatwarden.bridge;

/** How a password check ended ({@link Seatwarden#loginCheckEnded}). */
public enum LoginCheckOutcome {
  /** The product accepted the password. */
  VERIFIED("verified"),
  /** The product did not accept it: the user backs off for a while, on every node. */
  NOT_VERIFIED("not_verified"),
  /** The check could not be made (activation refused, directory down); nothing changed. */
  FAILED("failed");

  private final String wireName;

  LoginCheckOutcome(String wireName) {
    this.wireName = wireName;
  }

  /** The name the native library reads. */
  public String wireName() {
    return wireName;
  }
}

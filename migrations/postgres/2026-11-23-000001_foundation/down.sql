DROP TABLE events;
DROP TABLE memberships;
DROP TABLE organizations;
DROP TABLE generated_secrets;
DROP TABLE login_throttles;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE provinces;

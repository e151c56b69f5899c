# frozen_string_literal: true

module NotiflowsAuth
  VERSION = "0.1.0"
end
